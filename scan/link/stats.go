package link

// Stats counts what happened on one end of a link since it was made.
type Stats struct {
	FramesSent      int64 // reliable frames sent for the first time
	FramesReceived  int64 // reliable frames received in order
	Retransmitted   int64 // reliable frames this end sent again
	PeerRetransmits int64 // frames received that the peer had sent before
	Timeouts        int64 // ACK timeouts after which this end resent
	NAKsSent        int64 // including pokes
	NAKsReceived    int64
	Pokes           int64 // NAKs sent because nothing came for an ACK timeout
	Duplicates      int64 // frames received again and dropped
	// NeedlessResends counts the peer's retransmissions of frames that
	// had arrived already: its timer fired before our ACK reached it (a
	// busy end, not the line).
	NeedlessResends int64
	DiscardedBytes  int64 // garbage and damaged frames skipped
	// FramesDamaged counts frames that arrived damaged or not at all, as
	// far as this end could tell (protocol 1.2: a damaged payload behind
	// an intact header, or a gap in the sequence numbers).
	FramesDamaged int64
	// StripSize is the largest strip in use: on the host, the size it
	// last asked of the engine (1.2) or the engine's own; on the engine,
	// the size it sends now. StripChanges counts the changes.
	StripSize    int
	StripChanges int64
}
