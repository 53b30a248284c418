package link_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"unicode"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// hostileText is an engine's text written to act on whatever shows it: clear
// a terminal, return the cursor, a NUL, a C1 control, bidi overrides.
const hostileText = "lamp\x1b[2J\roverwritten\x00 \u009b31m \u202Eexe.fdp\u202C \u2066x\u2069\x7f\n end"

// refusingEngine refuses every job with err.
type refusingEngine struct {
	scansim.Simulator
	err error
}

func (e *refusingEngine) Scan(context.Context, scan.Options) (scan.Source, error) { return nil, e.err }

// lockedBuffer is a log destination the link's goroutines may write while
// the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestEngineTextPrintable: the engine's status text, model and firmware
// reach the error, the engine's description and the log without a control
// or bidi character.
func TestEngineTextPrintable(t *testing.T) {
	t.Parallel()
	var logBuf lockedBuffer
	r := newRig(t, &refusingEngine{err: &link.EngineError{Code: link.CodeEngineFault, Text: hostileText}}, rigOptions{
		host:   link.HostOptions{Logger: slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))},
		engine: link.EngineOptions{Model: "MFP\x1b]0;owned\x07 \u202E9000", Firmware: "1.2\r\n3"},
	})
	_, err := r.host.Scan(context.Background(), scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1})
	var ee *link.EngineError
	if !errors.As(err, &ee) || ee.Code != link.CodeEngineFault {
		t.Fatalf("Scan: %v, want the engine's fault", err)
	}
	if want := "lamp[2J overwritten 31m exe.fdp x  end"; ee.Text != want {
		t.Errorf("engine text %q, want %q", ee.Text, want)
	}
	info := r.host.Engine()
	if info.Model != "MFP]0;owned 9000" || info.Firmware != "1.2  3" {
		t.Errorf("model %q firmware %q", info.Model, info.Firmware)
	}
	for where, text := range map[string]string{"Error()": err.Error(), "log": logBuf.String()} {
		for _, r := range text {
			if r != '\n' && r != ' ' && !unicode.IsPrint(r) {
				t.Errorf("%s holds %U: %q", where, r, text)
				break
			}
		}
	}
	if !strings.Contains(logBuf.String(), "owned") {
		t.Errorf("the log does not name the engine: %s", logBuf.String())
	}
}
