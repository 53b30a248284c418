package link

// SpeakingMinor makes an engine speak an older minor version of the
// protocol, as an engine built before it did.
func SpeakingMinor(o EngineOptions, minor uint8) EngineOptions {
	o.Protocol = Version{Major: ProtocolMajor, Minor: minor}
	return o
}
