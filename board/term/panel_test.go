package term

import (
	"context"
	"errors"
	"image"
	"image/color"
	"net/url"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"scanmail/board"
	"scanmail/board/screen"
)

// newSim is a simulated terminal of w×h cells, finished when the test ends.
func newSim(t *testing.T, w, h int) tcell.SimulationScreen {
	t.Helper()
	scr := tcell.NewSimulationScreen("UTF-8")
	if err := scr.Init(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(scr.Fini)
	scr.SetSize(w, h)
	return scr
}

// pixels reads the panel's bitmap back from the terminal's cells: white
// where a half block is drawn, black elsewhere, as a camera would see it.
func pixels(t *testing.T, scr tcell.SimulationScreen) *image.Gray {
	t.Helper()
	cells, w, _ := scr.GetContents()
	img := image.NewGray(image.Rect(0, 0, width, height))
	for y := 0; y < height; y += 2 {
		for x := range width {
			c := cells[(1+y/2)*w+1+x]
			fg, bg, _ := c.Style.Decompose()
			if r, g, b := fg.RGB(); r != 0xFF || g != 0xFF || b != 0xFF {
				t.Fatalf("cell of pixel (%d, %d) has foreground %v, want white", x, y, fg)
			}
			if r, g, b := bg.RGB(); r != 0 || g != 0 || b != 0 {
				t.Fatalf("cell of pixel (%d, %d) has background %v, want black", x, y, bg)
			}
			var top, bottom bool
			switch string(c.Runes) {
			case "█":
				top, bottom = true, true
			case "▀":
				top = true
			case "▄":
				bottom = true
			case " ":
			default:
				t.Fatalf("cell of pixel (%d, %d) is %q", x, y, string(c.Runes))
			}
			if top {
				img.SetGray(x, y, color.Gray{Y: 0xFF})
			}
			if bottom {
				img.SetGray(x, y+1, color.Gray{Y: 0xFF})
			}
		}
	}
	return img
}

// text is the terminal's cells as lines.
func text(scr tcell.SimulationScreen) string {
	cells, w, _ := scr.GetContents()
	var b strings.Builder
	for i, c := range cells {
		if len(c.Runes) == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(string(c.Runes))
		}
		if (i+1)%w == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestDrawIsPixelExact(t *testing.T) {
	scr := newSim(t, needCols, needRows)
	p := New(scr)
	// Every pair of pixels a cell can show, and a gray threshold.
	in := image.NewGray(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			in.SetGray(x, y, color.Gray{Y: uint8((x*7 + y*13 + x*y) % 256)})
		}
	}
	if err := p.Draw(in); err != nil {
		t.Fatal(err)
	}
	got := pixels(t, scr)
	for y := range height {
		for x := range width {
			want := in.GrayAt(x, y).Y >= 0x80
			if (got.GrayAt(x, y).Y == 0xFF) != want {
				t.Fatalf("pixel (%d, %d) is %v, want %v", x, y, !want, want)
			}
		}
	}
	if err := p.Halt(); err != nil {
		t.Fatal(err)
	}
	for _, v := range pixels(t, scr).Pix {
		if v != 0 {
			t.Fatal("Halt left pixels lit")
		}
	}
}

func TestQRFromCells(t *testing.T) {
	for _, u := range []string{
		"https://microsoft.com/devicelogin",
		"https://login.microsoftonline.us/common/oauth2/deviceauth",
		"http://127.0.0.1:45678/devicelogin",
	} {
		t.Run(u, func(t *testing.T) {
			scr := newSim(t, needCols, needRows)
			p := New(scr)
			if err := p.Draw(screen.Draw(screen.Screen{Title: "Sign in", QR: u, Lines: []string{u}, Big: "V4G64UZMQ"})); err != nil {
				t.Fatal(err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(pixels(t, scr))
			if err != nil {
				t.Fatal(err)
			}
			res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Scheme and host may come back in upper case, which takes
			// fewer bits in a QR code and means the same (RFC 3986).
			got := res.GetText()
			pu, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.EqualFold(got, u) || !strings.HasSuffix(got, pu.Path) {
				t.Fatalf("decoded %q, want %q", got, u)
			}
		})
	}
}

func TestLegendAndLED(t *testing.T) {
	scr := newSim(t, needCols, needRows)
	p := New(scr)
	for _, tc := range []struct {
		s    board.Status
		want string
	}{{board.StatusOff, "● off"}, {board.StatusReady, "● ready"}, {board.StatusWorking, "● working"}, {board.StatusAttention, "● attention"}} {
		p.Set(tc.s)
		got := text(scr)
		if !strings.Contains(got, tc.want) {
			t.Errorf("status %v: no %q on\n%s", tc.s, tc.want, got)
		}
	}
	for _, want := range []string{"Enter      OK", "Ctrl-C     quit", "F5 Ctrl-S  Start"} {
		if !strings.Contains(text(scr), want) {
			t.Errorf("the legend has no %q", want)
		}
	}
}

// run runs p's Run until it returns, with the keys it emitted.
func run(t *testing.T, p *Panel, ctx context.Context) (<-chan []board.Key, <-chan error) {
	keys := make(chan []board.Key, 1)
	done := make(chan error, 1)
	go func() {
		var got []board.Key
		err := p.Run(ctx, func(k board.Key) { got = append(got, k) })
		keys <- got
		done <- err
	}()
	return keys, done
}

func TestKeys(t *testing.T) {
	scr := newSim(t, needCols, needRows)
	p := New(scr)
	type in struct {
		k   tcell.Key
		r   rune
		mod tcell.ModMask
	}
	cases := []struct {
		in   in
		want board.Key
	}{
		{in{tcell.KeyUp, 0, 0}, board.KeyUp},
		{in{tcell.KeyDown, 0, 0}, board.KeyDown},
		{in{tcell.KeyLeft, 0, 0}, board.KeyLeft},
		{in{tcell.KeyRight, 0, 0}, board.KeyRight},
		{in{tcell.KeyEnter, 0, 0}, board.KeyOK},
		{in{tcell.KeyEscape, 0, 0}, board.KeyBack},
		{in{tcell.KeyBackspace2, 0, 0}, board.KeyBack},
		{in{tcell.KeyRune, 0x7f, 0}, board.KeyBack}, // DEL, what most terminals send for ⌫
		{in{tcell.KeyTab, 0, 0}, board.KeyMenu},
		{in{tcell.KeyF5, 0, 0}, board.KeyStart},
		{in{tcell.KeyCtrlS, 's', tcell.ModCtrl}, board.KeyStart},
		{in{tcell.KeyF8, 0, 0}, board.KeyStop},
		{in{tcell.KeyCtrlX, 'x', tcell.ModCtrl}, board.KeyStop},
		{in{tcell.KeyRune, '0', 0}, board.Key0},
		{in{tcell.KeyRune, '7', 0}, board.Key7},
		{in{tcell.KeyRune, '*', 0}, board.KeyStar},
		{in{tcell.KeyRune, '#', 0}, board.KeyHash},
		{in{tcell.KeyRune, 'a', 0}, board.RuneKey('a')},
		{in{tcell.KeyRune, 'Q', tcell.ModShift}, board.RuneKey('Q')},
		{in{tcell.KeyRune, '@', 0}, board.RuneKey('@')},
		{in{tcell.KeyRune, '.', 0}, board.RuneKey('.')},
		{in{tcell.KeyRune, ' ', 0}, board.RuneKey(' ')},
		{in{tcell.KeyRune, 'é', 0}, board.RuneKey('é')},
		{in{tcell.KeyRune, 'a', tcell.ModAlt}, board.KeyNone}, // not a panel key: nothing emitted
		{in{tcell.KeyF12, 0, 0}, board.KeyNone},
	}
	for _, quit := range []in{{tcell.KeyCtrlC, 'c', tcell.ModCtrl}, {tcell.KeyCtrlQ, 'q', tcell.ModCtrl}} {
		keys, done := run(t, p, t.Context())
		var want []board.Key
		for _, c := range cases {
			scr.InjectKey(c.in.k, c.in.r, c.in.mod)
			if c.want != board.KeyNone {
				want = append(want, c.want)
			}
		}
		scr.InjectKey(quit.k, quit.r, quit.mod)
		if err := <-done; !errors.Is(err, ErrQuit) {
			t.Fatalf("Run after %v returned %v, want ErrQuit", quit.k, err)
		}
		got := <-keys
		if len(got) != len(want) {
			t.Fatalf("got keys %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("key %d: got %v, want %v", i, got[i], want[i])
			}
		}
	}
}

func TestRunEndsWithContext(t *testing.T) {
	scr := newSim(t, needCols, needRows)
	p := New(scr)
	ctx, cancel := context.WithCancel(t.Context())
	_, done := run(t, p, ctx)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v when its context ended, want nil", err)
	}
}

func TestTooSmallThenResized(t *testing.T) {
	scr := newSim(t, 80, 24)
	p := New(scr)
	if err := p.Draw(screen.Draw(screen.Screen{Title: "Ready"})); err != nil {
		t.Fatal(err)
	}
	got := text(scr)
	if !strings.Contains(got, "too small") || !strings.Contains(got, "it is 80×24") {
		t.Fatalf("no too-small message on\n%s", got)
	}
	if strings.ContainsAny(got, "▀▄█") {
		t.Fatalf("pixels drawn on a terminal too small:\n%s", got)
	}

	// Enlarged: the panel appears, redrawn without a new Draw.
	_, done := run(t, p, t.Context())
	scr.SetSize(needCols+10, needRows+5)
	if err := scr.PostEvent(tcell.NewEventResize(needCols+10, needRows+5)); err != nil {
		t.Fatal(err)
	}
	scr.InjectKey(tcell.KeyCtrlC, 'c', tcell.ModCtrl) // after the resize: Run has redrawn when it returns
	if err := <-done; !errors.Is(err, ErrQuit) {
		t.Fatal(err)
	}
	got = text(scr)
	if strings.Contains(got, "too small") || !strings.Contains(got, "Enter      OK") {
		t.Fatalf("not redrawn after the resize:\n%s", got)
	}
	want := screen.Draw(screen.Screen{Title: "Ready"})
	img := pixels(t, scr)
	for i := range want.Pix {
		if want.Pix[i] != img.Pix[i] {
			t.Fatalf("pixel %d differs after the resize", i)
		}
	}
}

// TestNotes: notes go below the panel, as many as there are rows for, cut
// at the terminal's edge; the panel itself stays where it is.
func TestNotes(t *testing.T) {
	scr := newSim(t, needCols, needRows+3)
	p := New(scr)
	long := "Step 2: " + strings.Repeat("x", needCols)
	p.SetNotes([]string{"Step 1: sign in", long, "not shown"})
	lines := strings.Split(text(scr), "\n")
	if got := strings.TrimSpace(lines[needRows+1]); got != "Step 1: sign in" {
		t.Errorf("first note row %q", got)
	}
	if got := lines[needRows+2]; got != long[:needCols] {
		t.Errorf("second note row %q, want the note cut at the edge", got)
	}
	if strings.Contains(text(scr), "not shown") {
		t.Error("a note past the last row was drawn")
	}
	pixels(t, scr) // fails if the bitmap's cells moved
}
