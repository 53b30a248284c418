package link

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestAckPayload(t *testing.T) {
	tests := []struct {
		name string
		m    ackMsg
		size int
	}{
		{"1.1", ackMsg{window: 8, txHigh: 0xfffffffe}, ackSize1_1},
		{"1.2 nothing held", ackMsg{window: 3, txHigh: 7, selective: true}, ackSize1_2},
		{"1.2 held and heard", ackMsg{window: 8, txHigh: 1, selective: true, sack: 1<<0 | 1<<5 | 1<<31, heard: 200, heardOK: true}, ackSize1_2},
		{"1.2 heard 0", ackMsg{selective: true, heard: 0, heardOK: true}, ackSize1_2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.m.marshal([]byte{0xEE})[1:]
			if len(b) != tt.size {
				t.Fatalf("%d bytes, want %d", len(b), tt.size)
			}
			got, ok := parseAck(b)
			if !ok || got != tt.m {
				t.Errorf("parsed %+v, want %+v", got, tt.m)
			}
			// A 1.1 end reads the first 8 bytes only: the same window
			// and tx-high.
			if old, _ := parseAck(b[:ackSize1_1]); old.window != tt.m.window || old.txHigh != tt.m.txHigh || old.selective {
				t.Errorf("as 1.1: %+v", old)
			}
		})
	}
	if _, ok := parseAck(make([]byte, ackSize1_1-1)); ok {
		t.Error("a short payload parsed")
	}
	// Trailing bytes a later version may add are ignored.
	m := ackMsg{window: 1, txHigh: 2, selective: true, sack: 5, heard: 9, heardOK: true}
	if got, _ := parseAck(append(m.marshal(nil), 1, 2, 3)); got != m {
		t.Errorf("with trailing bytes: %+v", got)
	}
}

// bareSession is a session with no goroutines and no byte stream, for
// driving its state machine by hand.
func bareSession(selective bool) *session {
	s := &session{
		cfg: sessionConfig{ackTimeout: time.Second, maxRetries: 16, rxWindow: 8, txWindow: 8,
			version: ourVersion, log: slog.New(slog.DiscardHandler)},
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	s.resetLocked(100, 500)
	s.selective = selective
	return s
}

// drain returns the seqs of the data frames the session would write now.
func drain(s *session, now time.Time) []uint32 {
	var seqs []uint32
	for {
		f, data, _ := s.nextLocked(now)
		if f.Type == 0 {
			return seqs
		}
		if data {
			seqs = append(seqs, f.Seq)
		}
	}
}

// TestResendChoice: a 1.2 sender resends a frame only on proof that its
// last transmission was lost, once per proof; a 1.1 sender goes back N.
func TestResendChoice(t *testing.T) {
	type report struct {
		typ   FrameType
		seq   uint32 // ACK: last in order; NAK: first missing
		sack  uint32
		heard uint8 // the Tx heard; 0: none
		want  []uint32
	}
	// Frames 100…107 went out as transmissions 1…8.
	tests := []struct {
		name      string
		selective bool
		reports   []report
	}{
		{"a gap proven by a later frame", true, []report{
			{TypeNak, 102, 0b11, 5, []uint32{102}}, // 103, 104 held; 104 heard
		}},
		{"a damaged frame, heard", true, []report{
			{TypeNak, 102, 0, 3, []uint32{102}}, // 102 heard, not held
		}},
		{"frames in flight are not resent", true, []report{
			{TypeAck, 101, 0, 2, nil},
		}},
		{"everything heard after the gap", true, []report{
			{TypeNak, 100, 0b1111110, 8, []uint32{100, 101}}, // 102…107 held
		}},
		{"the same NAK twice", true, []report{
			{TypeNak, 102, 0b11, 5, []uint32{102}},
			{TypeNak, 102, 0b11, 5, nil},
		}},
		{"a NAK that crossed the resend", true, []report{
			{TypeNak, 102, 0b11, 5, []uint32{102}}, // the resend is transmission 9
			{TypeNak, 102, 0b111, 6, nil},          // 105 heard: older than 9
		}},
		{"the resend damaged too", true, []report{
			{TypeNak, 102, 0b11, 5, []uint32{102}},
			{TypeNak, 102, 0b11111, 9, []uint32{102}},
		}},
		{"a damaged tail", true, []report{
			{TypeNak, 107, 0, 8, []uint32{107}}, // 100…106 in order, 107 damaged
		}},
		{"held frames are never resent", true, []report{
			{TypeNak, 100, 0b1010, 5, []uint32{100, 101, 103}}, // 102, 104 held
		}},
		{"1.1: go back N", false, []report{
			{TypeNak, 102, 0, 0, []uint32{102, 103, 104, 105, 106, 107}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := bareSession(tt.selective)
			now := time.Now()
			s.txLimit = s.txNext + 16
			for i := range 8 {
				s.unacked = append(s.unacked, txFrame{typ: TypeStrip, payload: []byte{byte(i)}})
				s.txNext++
			}
			if got := drain(s, now); len(got) != 8 {
				t.Fatalf("first sent %v", got)
			}
			for i, r := range tt.reports {
				m := ackMsg{window: 8, txHigh: 500, selective: tt.selective, sack: r.sack, heard: r.heard, heardOK: r.heard != 0}
				s.onAckLocked(Frame{Version: 1, Type: r.typ, Seq: r.seq, Payload: m.marshal(nil)}, now)
				if got := drain(s, now); !slices.Equal(got, r.want) {
					t.Errorf("report %d (%v %d, sack %b, heard %d): resent %v, want %v", i+1, r.typ, r.seq, r.sack, r.heard, got, r.want)
				}
			}
		})
	}
}

// TestSelectiveReceiver: a 1.2 receiver holds frames that come out of
// order within the credit it gave, reports them in its SACK with the last
// transmission it heard, and delivers them in order once the gap fills.
func TestSelectiveReceiver(t *testing.T) {
	s := bareSession(true)
	strip := func(seq uint32, tx uint8) Frame {
		return Frame{Version: 1, Type: TypeStrip, Seq: seq, Tx: tx, Payload: []byte{byte(seq)}}
	}
	ctrl := func() (Frame, ackMsg) {
		s.mu.Lock()
		defer s.mu.Unlock()
		f := s.ctrlLocked(time.Now())
		m, _ := parseAck(f.Payload)
		return f, m
	}
	s.onFrame(strip(500, 1))
	s.onFrame(strip(502, 3)) // 501 lost
	s.onDamaged(Frame{Version: 1, Type: TypeStrip, Seq: 503, Tx: 4})
	s.onFrame(strip(504, 5))
	s.onFrame(strip(520, 6)) // beyond the credit of 8: not held
	f, m := ctrl()
	if f.Type != TypeNak || f.Seq != 501 || !m.selective || m.sack != 0b101 || !m.heardOK || m.heard != 6 {
		t.Fatalf("report %v %d %+v, want NAK 501, sack 101, heard 6", f.Type, f.Seq, m)
	}
	if st := s.snapshot(); st.FramesDamaged != 2+15 { // 501, 503; 505…519 skipped
		t.Errorf("%d frames damaged, want 17", st.FramesDamaged)
	}
	s.onFrame(strip(501, 7))
	f, m = ctrl()
	if f.Type != TypeAck || f.Seq != 502 || m.sack != 0b1 || m.heard != 7 {
		t.Fatalf("after 501: %v %d %+v, want ACK 502, sack 1, heard 7", f.Type, f.Seq, m)
	}
	s.onFrame(strip(503, 8))
	f, m = ctrl()
	if f.Type != TypeAck || f.Seq != 504 || m.sack != 0 || m.window != 3 {
		t.Fatalf("after 503: %v %d %+v, want ACK 504, window 3", f.Type, f.Seq, m)
	}
	var got []uint32
	for _, f := range s.rxQueue {
		got = append(got, f.Seq)
	}
	if !slices.Equal(got, []uint32{500, 501, 502, 503, 504}) {
		t.Errorf("delivered %v", got)
	}
}

// TestWindowUpdateRepeated: a 1.2 receiver whose peer had used all its
// credit repeats the ACK that opens it again until a frame comes, so a
// lost update does not stall both ends until a poll.
func TestWindowUpdateRepeated(t *testing.T) {
	for _, selective := range []bool{true, false} {
		s := bareSession(selective)
		now := time.Now()
		ctrl := func(at time.Time) (Frame, ackMsg) {
			s.mu.Lock()
			defer s.mu.Unlock()
			f, _, _ := s.nextLocked(at)
			m, _ := parseAck(f.Payload)
			return f, m
		}
		for seq := uint32(500); seq < 508; seq++ {
			s.onFrame(Frame{Version: 1, Type: TypeStrip, Seq: seq, Tx: uint8(seq), Payload: []byte{1}})
		}
		if f, m := ctrl(now); f.Type != TypeAck || m.window != 0 {
			t.Fatalf("queue full: %v, window %d", f.Type, m.window)
		}
		for range 4 {
			if _, _, err := s.recv(context.Background(), nil, false); err != nil {
				t.Fatal(err)
			}
		}
		if f, m := ctrl(now); f.Type != TypeAck || m.window != 4 {
			t.Fatalf("room made: %v, window %d", f.Type, m.window)
		}
		// That update is lost on the line.
		later := now.Add(s.rto)
		f, m := ctrl(later)
		if got := f.Type == TypeAck && m.window == 4; got != selective {
			t.Errorf("selective %v: a round trip later %v window %d", selective, f.Type, m.window)
		}
		// A frame came: the peer has its credit.
		s.onFrame(Frame{Version: 1, Type: TypeStrip, Seq: 508, Tx: 9, Payload: []byte{1}})
		if f, _ := ctrl(later); f.Type != TypeAck {
			t.Errorf("no ACK for frame 508: %v", f.Type)
		}
		if f, _ := ctrl(later.Add(time.Second)); f.Type != 0 {
			t.Errorf("selective %v: %v repeated after a frame came", selective, f.Type)
		}
	}
}

// TestNeedlessResends: a retransmission of a frame already delivered or
// held is counted as needless (the peer's timer, not the line); a frame
// the line duplicated is not.
func TestNeedlessResends(t *testing.T) {
	s := bareSession(true)
	strip := func(seq uint32, flags uint8) Frame {
		return Frame{Version: 1, Type: TypeStrip, Seq: seq, Flags: flags, Payload: []byte{byte(seq)}}
	}
	s.onFrame(strip(500, 0))
	s.onFrame(strip(502, 0))              // held: 501 lost
	s.onFrame(strip(500, FlagRetransmit)) // delivered already
	s.onFrame(strip(502, FlagRetransmit)) // held already
	s.onFrame(strip(500, 0))              // the line sent it twice
	s.onFrame(strip(501, FlagRetransmit)) // needed
	st := s.snapshot()
	if st.NeedlessResends != 2 || st.PeerRetransmits != 3 || st.Duplicates != 3 {
		t.Errorf("needless %d, peer resends %d, duplicates %d; want 2, 3, 3", st.NeedlessResends, st.PeerRetransmits, st.Duplicates)
	}
}
