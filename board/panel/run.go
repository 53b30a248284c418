package panel

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// LED is the status LED; *board.LED is one.
type LED interface{ Set(board.Status) }

// Buzzer sounds the panel's beeps; *board.Buzzer is one.
type Buzzer interface {
	Beep()
	Error()
}

// Output is where Run puts what the machine shows. Show is called with
// each new screen; LED and Buzzer are left nil (not a nil *board.LED) on
// a panel without them.
type Output struct {
	Show   func(screen.Screen)
	LED    LED
	Buzzer Buzzer
}

// RunOptions configure Run.
type RunOptions struct {
	Options
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Tick is how often time passes into the machine (typed letters,
	// countdowns, idle ends); 0 means 200 ms.
	Tick time.Duration
	// Rewatch is how long Run waits before it watches the device again
	// after the feed broke off; 0 means a second.
	Rewatch time.Duration
	Logger  *slog.Logger // nil discards
}

// Run drives a Machine until ctx is done: it watches the device (again
// after the daemon restarts), reads keys, makes the calls the machine
// asks for in goroutines of their own, and feeds the changes, the keys,
// the answers and the time into the machine from one goroutine. It
// returns nil when ctx is done, or the keys' error.
func Run(ctx context.Context, api API, keys board.Source, out Output, opts RunOptions) error {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	tick := opts.Tick
	if tick == 0 {
		tick = 200 * time.Millisecond
	}
	rewatch := opts.Rewatch
	if rewatch == 0 {
		rewatch = time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	// The goroutines end before Run returns: wg.Wait runs after cancel.
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	m := New(opts.Options, now())
	inbox := make(chan func() Effects)
	send := func(f func() Effects) {
		select {
		case inbox <- f:
		case <-ctx.Done():
		}
	}

	keysDone := make(chan error, 1)
	wg.Go(func() {
		keysDone <- keys.Run(ctx, func(k board.Key) { send(func() Effects { return m.Key(k) }) })
	})
	wg.Go(func() {
		for {
			err := api.Watch(ctx, func(n apitype.Notify) { send(func() Effects { return m.Notify(n) }) })
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				log.Warn("panel: watching the device", "err", err)
			}
			send(m.Offline)
			select {
			case <-ctx.Done():
				return
			case <-time.After(rewatch):
			}
		}
	})

	running := map[int]context.CancelFunc{} // calls under way, by Seq
	var (
		shown    screen.Screen
		showed   bool
		ledShown = board.Status(-1)
	)
	apply := func(e Effects) {
		for _, c := range e.Calls {
			if c.Kind == CallAbort {
				if stop, ok := running[c.Abort]; ok {
					stop()
					delete(running, c.Abort)
				}
				continue
			}
			cctx, stop := context.WithCancel(ctx)
			running[c.Seq] = stop
			wg.Go(func() {
				do(cctx, api, c, func(a Answer) {
					send(func() Effects {
						if a.Done {
							if stop, ok := running[c.Seq]; ok {
								stop()
								delete(running, c.Seq)
							}
						}
						return m.Answer(a)
					})
				})
			})
		}
		if out.Buzzer != nil {
			switch e.Sound {
			case SoundBeep:
				out.Buzzer.Beep()
			case SoundError:
				out.Buzzer.Error()
			}
		}
		if s := m.Screen(); !showed || !reflect.DeepEqual(s, shown) {
			shown, showed = s, true
			if out.Show != nil {
				out.Show(s)
			}
		}
		if l := m.LED(); l != ledShown {
			ledShown = l
			if out.LED != nil {
				out.LED.Set(l)
			}
		}
	}
	apply(Effects{})
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-keysDone:
			if err != nil && ctx.Err() == nil {
				return err
			}
			keysDone = nil
		case f := <-inbox:
			apply(m.Tick(now()))
			apply(f())
		case <-ticker.C:
			apply(m.Tick(now()))
		}
	}
}

// do makes a call and gives its answers: a step of a streaming call as
// it comes, and the end.
func do(ctx context.Context, api API, c Call, answer func(Answer)) {
	a := Answer{Call: c, Done: true}
	switch c.Kind {
	case CallConfig:
		a.Config, a.Err = api.Config(ctx)
	case CallBook:
		a.Book, a.Err = api.Book(ctx, c.Query, c.Limit)
	case CallJobs:
		a.Jobs, a.Err = api.Jobs(ctx, c.Limit)
	case CallQuickSets:
		a.QuickSets, a.Err = api.QuickSets(ctx)
	case CallScan:
		a.Job, a.Err = api.Scan(ctx, c.Scan, func(ev apitype.JobEvent) {
			answer(Answer{Call: c, Event: &ev})
		})
	case CallJob:
		a.Job, a.Err = api.Job(ctx, c.ID)
	case CallMorePages:
		a.Job, a.Err = api.MorePages(ctx, c.ID, c.More)
	case CallCancelJob:
		a.Job, a.Err = api.CancelJob(ctx, c.ID)
	case CallSignIn:
		var st apitype.SignIn
		st, a.Err = api.SignIn(ctx, apitype.SignInRequest{ReplaceAccount: c.Replace}, func(s apitype.SignIn) {
			answer(Answer{Call: c, SignIn: &s})
		})
		if a.Err == nil {
			a.SignIn = &st
		}
	case CallCancelSignIn:
		var st apitype.SignIn
		st, a.Err = api.CancelSignIn(ctx)
		a.SignIn = &st
	case CallSignOut:
		a.Status, a.Err = api.SignOut(ctx)
	case CallPIN:
		a.PINState, a.Err = api.PIN(ctx)
	case CallCheckPIN:
		a.PINState, a.Err = api.CheckPIN(ctx, c.PIN)
	case CallSetPIN:
		a.PINState, a.Err = api.SetPIN(ctx, c.OldPIN, c.PIN)
	case CallAckAlert:
		a.Status, a.Err = api.AckAlert(ctx, c.Alert)
	}
	answer(a)
}
