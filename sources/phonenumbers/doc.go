// Package phonenumbers is the phone-numbers source (--collector.phone-numbers):
// QueryChatappPhoneNumbers once per space every --phone-numbers.interval,
// on its own limiter, and the series of each space's numbers: their
// status, quality rating, messaging limit tier and the daily limit the
// tier stands for.
package phonenumbers
