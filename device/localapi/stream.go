package localapi

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"scanmail/device/apitype"
)

const (
	// writeTimeout bounds each write of a stream. A client that stops
	// reading (a terminal stopped with Ctrl-Z) loses its stream after it;
	// the job itself never waits for a client (jobEvents).
	writeTimeout = time.Minute
	// maxQueued is how many of a job's events wait for a slow client
	// before the oldest are left out.
	maxQueued = 32
)

// stream writes newline-delimited JSON, flushing each line so the client
// sees progress as it happens.
type stream struct {
	rc  *http.ResponseController
	enc *json.Encoder
}

func newStream(w http.ResponseWriter) *stream {
	w.Header().Set("Content-Type", "application/x-ndjson")
	return &stream{rc: http.NewResponseController(w), enc: json.NewEncoder(w)}
}

// send writes one line; false means the client is gone or too slow.
func (s *stream) send(v any) bool {
	// Not every ResponseWriter has deadlines (a test's recorder); the
	// server's connections do.
	s.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.enc.Encode(v); err != nil {
		return false
	}
	return s.rc.Flush() == nil
}

// end lifts the deadline, so that it does not cut the connection's next
// request short.
func (s *stream) end() {
	s.rc.SetWriteDeadline(time.Time{})
}

// jobEvents passes a job's events from the device to one client's writer
// without ever making the device wait: the device reports while it holds
// the scanner or the sending lock, and put never blocks. At most maxQueued
// events wait; when more come, the oldest waiting one is left out and the
// next event written says how many were (JobEvent.Missed). The job's last
// event is the newest, so it is never left out.
type jobEvents struct {
	mu     sync.Mutex
	queue  []apitype.JobEvent
	missed int
	closed bool
	ready  chan struct{} // holds a wake-up once something changed
}

func newJobEvents() *jobEvents {
	return &jobEvents{ready: make(chan struct{}, 1)}
}

// put queues ev; it never blocks.
func (q *jobEvents) put(ev apitype.JobEvent) {
	q.mu.Lock()
	if len(q.queue) == maxQueued {
		q.queue = append(q.queue[:0], q.queue[1:]...)
		q.missed++
	}
	q.queue = append(q.queue, ev)
	q.mu.Unlock()
	q.wake()
}

// close says no more events come.
func (q *jobEvents) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.wake()
}

func (q *jobEvents) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// next waits for the oldest event queued; false means there are no more.
func (q *jobEvents) next() (apitype.JobEvent, bool) {
	for {
		q.mu.Lock()
		if len(q.queue) > 0 {
			ev := q.queue[0]
			q.queue = append(q.queue[:0], q.queue[1:]...)
			ev.Missed, q.missed = q.missed, 0
			q.mu.Unlock()
			return ev, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return apitype.JobEvent{}, false
		}
		<-q.ready
	}
}

// writeTo streams the events to w until the last one or until the client
// fails to take one. It reports whether it began an answer: when no event
// came, w is untouched.
func (q *jobEvents) writeTo(w http.ResponseWriter) bool {
	ev, ok := q.next()
	if !ok {
		return false
	}
	s := newStream(w)
	defer s.end()
	for ; ok; ev, ok = q.next() {
		if !s.send(ev) {
			return true
		}
	}
	return true
}
