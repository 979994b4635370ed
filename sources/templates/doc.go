// Package templates is the message-templates source (--collector.templates):
// ListChatappTemplate, page by page, for each space every
// --templates.interval, on its own limiter, and the series of each space's
// templates: how many there are by audit status and by category, the
// templates that cannot be sent (problems), and how often templates were
// paused or disabled.
package templates
