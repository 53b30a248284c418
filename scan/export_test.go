package scan

// MaxJPEGBytes lets the external tests bound what an endless page leaves
// on disk.
var MaxJPEGBytes = maxJPEGBytes
