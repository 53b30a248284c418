package spilinktest

// stream is the Engine's byte stream as the engine's firmware sees it.
type stream struct{ e *Engine }

// Read waits for the host's bytes. Taking them makes room in the input
// buffer, which may arm the next transfer.
func (s stream) Read(p []byte) (int, error) {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	for e.in.Len() == 0 && !e.closed {
		e.cond.Wait()
	}
	if e.closed {
		return 0, errClosed
	}
	n, _ := e.in.Read(p)
	e.update()
	e.cond.Broadcast()
	return n, nil
}

// Write queues p whole for the engine's packets once fewer than
// OutputBuffer bytes wait, and asserts data-ready if a packet is armed.
func (s stream) Write(p []byte) (int, error) {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	for e.out.Len() >= e.opts.OutputBuffer && !e.closed {
		e.cond.Wait()
	}
	if e.closed {
		return 0, errClosed
	}
	e.out.Write(p)
	e.update()
	e.cond.Broadcast()
	return len(p), nil
}
