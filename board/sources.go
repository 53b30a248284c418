package board

import (
	"context"
	"sync"
)

// Sources runs several key sources as one, such as buttons beside a keypad;
// emit is called by one goroutine at a time. The first source to fail stops
// the others, and its error is returned.
type Sources []Source

// Run implements Source.
func (s Sources) Run(ctx context.Context, emit func(Key)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
		once  sync.Once
	)
	for _, src := range s {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := src.Run(ctx, func(k Key) {
				mu.Lock()
				defer mu.Unlock()
				emit(k)
			})
			if err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}
