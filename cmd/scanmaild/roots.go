package main

// A board image without /etc/ssl/certs would trust nobody, and could reach
// neither Microsoft's sign-in nor its SMTP servers. The fallback registers
// Mozilla's roots, embedded in the binary, with x509.SetFallbackRoots:
// they are used only when the system offers no roots of its own. It is a
// process-wide setting (it panics if made twice), so the main makes it,
// not the device package that tests and other programs import.
import _ "golang.org/x/crypto/x509roots/fallback"
