// Package idptest is a local OAuth 2.0 identity provider that answers like
// Microsoft Entra ID's v2.0 endpoints for the device authorization grant
// (RFC 8628) and for refresh tokens (RFC 6749 §6).
//
// It serves two masters. Go tests start it with httptest.NewServer and script
// every answer the device must survive; scanmaild's demo mode serves it
// so that a person can open the verification page in a browser, type the
// user code and an account name, and approve.
//
// Routes, where {tenant} is any single path segment (organizations,
// consumers, common, a tenant ID or a domain):
//
//	POST /{tenant}/oauth2/v2.0/devicecode   client_id, scope
//	POST /{tenant}/oauth2/v2.0/token        device_code or refresh_token grant
//	GET  /devicelogin                       the verification page (?code= prefills)
//	POST /devicelogin                       its two steps: code, then account
//
// What it copies from Entra, and where it chooses:
//
//   - Errors are JSON with error, error_description ("AADSTSnnnnn: …" followed
//     by Trace ID, Correlation ID and Timestamp lines), error_codes, timestamp,
//     trace_id and correlation_id, with HTTP 400, or 401 for invalid_client.
//     The AADSTS numbers are Microsoft's; the descriptions are modelled on
//     Microsoft's, not copied word for word.
//   - The user code has nine characters without a dash, as Microsoft's do;
//     the page ignores case, dashes and spaces. verification_uri_complete is
//     returned only when Options.CompleteURI is set; Microsoft never sends it.
//   - A person who declines makes polling answer authorization_declined, as
//     Microsoft does. RFC 8628's access_denied can be scripted with
//     ScriptPolls.
//   - A device code the server never issued answers bad_verification_code;
//     an expired one expired_token (AADSTS70020); one that already gave
//     tokens invalid_grant, because polling after success is a client bug.
//   - Polling faster than the interval answers slow_down, and that code's
//     interval grows by 5 s, as the client's must. The check uses the real
//     clock, because clients wait in real time, with 0.5 s of slack so a
//     ticker's jitter is not punished; Options.Now moves only expiry.
//   - The client is public: client_secret, client_assertion or an
//     Authorization: Basic header is refused with AADSTS700025, unless
//     Options.RequireClientSecret simulates an app registration without
//     "Allow public client flows" (AADSTS7000218).
//   - Refresh tokens rotate: each use returns a new one and the old one dies.
//     They also die after 90 days unused (AADSTS700082) and when Revoke is
//     called for their user (AADSTS50173).
//   - The id_token (RS256, only when scope has openid) carries
//     preferred_username, name and oid only when scope has profile, and email
//     only when scope has email, as Entra documents. The email claim can be
//     set apart from the account name with SetEmail.
//   - Access tokens are opaque; Validate checks one for an SMTP server's
//     XOAUTH2 exchange.
package idptest
