// The error codes the rules single out, as PromQL regular expressions in
// double-quoted strings (a literal dot is \\.).
{
  // The credentials are missing or rejected: every call fails with them,
  // whatever the space. CAMSCredentialsInvalid is their one alert; the
  // storms leave them out.
  credentialsCodes: 'Credentials|InvalidSecurityToken\\\\..+|SignatureDoesNotMatch|IncompleteSignature|InvalidAccessKeyId\\\\..+|InvalidTimeStamp\\\\..+',
}
