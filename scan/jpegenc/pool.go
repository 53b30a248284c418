package jpegenc

import "sync"

// pool codes batches first in, first out on up to max goroutines. A
// goroutine is started when work arrives and a slot is free, and ends as
// soon as it finds nothing pending, so an abandoned Writer leaves none
// behind. Order matters: the Writer waits for the oldest batch, and a
// worker busy with a younger one would leave the pipeline stalled.
type pool struct {
	c       *coder
	max     int
	mu      sync.Mutex
	pending []*batch
	running int
}

func (p *pool) add(b *batch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, b)
	if p.running < p.max {
		p.running++
		go p.work()
	}
}

func (p *pool) work() {
	for {
		p.mu.Lock()
		if len(p.pending) == 0 {
			p.running--
			p.mu.Unlock()
			return
		}
		b := p.pending[0]
		n := copy(p.pending, p.pending[1:])
		p.pending[n] = nil
		p.pending = p.pending[:n]
		p.mu.Unlock()

		b.out = p.c.codeRows(b.out[:0], b.raster[:b.rows*p.c.stride], b.first)
		b.done <- struct{}{}
	}
}
