package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"

	"scanmail/board"
	"scanmail/board/panel"
	"scanmail/board/screen"
	"scanmail/board/term"
	"scanmail/device/localclient"
)

// errQuit is the person at the terminal panel asking the daemon to stop.
var errQuit = errors.New("quit from the terminal panel")

// runPanel runs the front panel, a client of the daemon's local API like
// any other, until ctx ends: on this terminal (-display term) or on the
// fitted hardware. guide, if not nil, is shown below a terminal panel. A
// panel that cannot start is logged and left out: the daemon goes on.
func runPanel(ctx context.Context, cfg daemonConfig, hw *fitted, guide func() []string, log *slog.Logger) error {
	api := &localclient.Client{Socket: cfg.socket}
	opts := panel.RunOptions{Options: panel.Options{Pages: simPages(cfg)}, Logger: log.With("part", "panel")}
	if cfg.panel.display.Kind == displayTerm {
		return runTermPanel(ctx, api, guide, opts, log)
	}
	// A part not fitted stays a nil interface, not a nil pointer in one.
	// The LED and buzzer are left off when ctx ends, before the return.
	var out panel.Output
	var wg sync.WaitGroup
	defer wg.Wait()
	if hw.led != nil {
		out.LED = hw.led
		wg.Go(func() { hw.led.Run(ctx) })
	}
	if hw.buzzer != nil {
		out.Buzzer = hw.buzzer
		wg.Go(func() { hw.buzzer.Run(ctx) })
	}
	show := newShower(log)
	switch {
	case hw.bitmap != nil:
		draw := screen.Draw
		if _, lcd := hw.bitmap.(*board.ST7567); lcd {
			draw = screen.DrawDarkOn // its lit pixels are dark
		}
		out.Show = func(s screen.Screen) { show(hw.bitmap.Draw(draw(s))) }
	case hw.text != nil:
		rows, cols := hw.text.Size()
		out.Show = func(s screen.Screen) { show(hw.text.WriteLines(screen.Lines(s, rows, cols))) }
	}
	if out.Show == nil && len(hw.keys) == 0 {
		return nil // no panel; said once when the hardware was opened
	}
	if out.Show == nil {
		out.Show = func(screen.Screen) {} // keys without a display still work the flow
	}
	// Without keys the panel still shows what the device does.
	err := panel.Run(ctx, api, hw.keys, out, opts)
	if ctx.Err() == nil && err != nil {
		log.Error("front panel stopped: its keys failed; the daemon goes on without them", "err", err)
	}
	return nil
}

// newShower logs a display that fails once, not once a screen, and again
// when it works again.
func newShower(log *slog.Logger) func(error) {
	failing := false
	return func(err error) {
		switch {
		case err != nil && !failing:
			log.Error("front panel: the display does not take screens", "err", err)
		case err == nil && failing:
			log.Info("front panel: the display works again")
		}
		failing = err != nil
	}
}

// runTermPanel is the panel on this terminal, the demo's.
func runTermPanel(ctx context.Context, api panel.API, guide func() []string, opts panel.RunOptions, log *slog.Logger) error {
	scr, err := tcell.NewScreen()
	if err == nil {
		err = scr.Init()
	}
	if err != nil {
		log.Warn("no terminal for the panel; running without it", "err", err)
		return nil
	}
	defer scr.Fini()
	p := term.New(scr)
	if guide != nil {
		go showGuide(ctx, p, guide)
	}
	out := panel.Output{Show: func(s screen.Screen) { p.Draw(screen.Draw(s)) }, LED: p, Buzzer: p}
	err = panel.Run(ctx, api, p, out, opts)
	if errors.Is(err, term.ErrQuit) {
		return errQuit
	}
	return err
}

// showGuide keeps the notes below the panel up to date (the last mail
// received) until ctx ends.
func showGuide(ctx context.Context, p *term.Panel, guide func() []string) {
	var shown []string
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if g := guide(); !slices.Equal(g, shown) {
			p.SetNotes(g)
			shown = g
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
