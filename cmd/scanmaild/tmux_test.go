//go:build !nodemo

package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// tmuxTerm is a terminal a test types into and reads, as a person does:
// a tmux server of its own, with one window of a fixed size.
type tmuxTerm struct {
	t    testing.TB
	sock string
	font []glyph
}

// newTmux starts cmd (run by sh in dir) in a w×h UTF-8 terminal.
func newTmux(t testing.TB, dir string, w, h int, cmd string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is not installed (make test installs it: .ci/deps)")
	}
	tm := &tmuxTerm{t: t, sock: filepath.Join(dir, "tmux.sock"), font: panelFont()}
	tm.run("-u", "new-session", "-d", "-s", "panel", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h),
		"-e", "LANG=C.UTF-8", "-e", "TERM=xterm-256color", "-c", dir, cmd)
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, F5, Down …).
func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		tm.run("send-keys", "-t", "panel", k)
	}
}

// typeText types s character by character, as on a keyboard.
func (tm *tmuxTerm) typeText(s string) {
	tm.t.Helper()
	tm.run("send-keys", "-t", "panel", "-l", s)
}

// capture is the terminal's text once it is still: two captures in a
// row the same, so that a screen half redrawn is never read.
func (tm *tmuxTerm) capture() string {
	tm.t.Helper()
	last := tm.run("capture-pane", "-p", "-t", "panel")
	for {
		time.Sleep(20 * time.Millisecond)
		c := tm.run("capture-pane", "-p", "-t", "panel")
		if c == last {
			return c
		}
		last = c
	}
}

// panel reads the panel's 128×64 pixels back from the half blocks inside
// its frame; ok is false while no panel is drawn.
func (tm *tmuxTerm) panel() (img *image.Gray, text string, ok bool) {
	lines := strings.Split(tm.capture(), "\n")
	top := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "┌") {
			top = i
			break
		}
	}
	if top < 0 || top+33 > len(lines) {
		return nil, strings.Join(lines, "\n"), false
	}
	img = image.NewGray(image.Rect(0, 0, 128, 64))
	for row := range 32 {
		cells := []rune(lines[top+1+row])
		for x := range 128 {
			r := ' '
			if 1+x < len(cells) {
				r = cells[1+x]
			}
			if r == '█' || r == '▀' {
				img.SetGray(x, 2*row, color.Gray{Y: 255})
			}
			if r == '█' || r == '▄' {
				img.SetGray(x, 2*row+1, color.Gray{Y: 255})
			}
		}
	}
	return img, strings.Join(readPanel(img, tm.font), "\n"), true
}

// waitFor waits until the panel reads want, and returns its picture and
// text; it fails the test, with the terminal's contents, if it never does.
func (tm *tmuxTerm) waitFor(want string) (*image.Gray, string) {
	tm.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var text string
	for time.Now().Before(deadline) {
		img, txt, ok := tm.panel()
		text = txt
		if ok && strings.Contains(txt, want) {
			return img, txt
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.t.Fatalf("the panel never showed %q; the terminal shows:\n%s", want, tm.capture())
	return nil, text
}

// waitText waits until the terminal, panel or not, shows want.
func (tm *tmuxTerm) waitText(want string) string {
	tm.t.Helper()
	var c string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c = tm.capture(); strings.Contains(c, want) {
			return c
		}
	}
	tm.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, c)
	return c
}

// savePNG writes the panel's picture, pixel for pixel, for a person to
// look at.
func savePNG(t testing.TB, img *image.Gray, path string) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// decodeQR reads the QR code of a panel picture, scaled up with a quiet
// zone as a phone's camera sees it; "" if there is none.
func decodeQR(t testing.TB, img *image.Gray) string {
	t.Helper()
	const scale, margin = 4, 16
	big := image.NewGray(image.Rect(0, 0, scale*img.Rect.Dx()+2*margin, scale*img.Rect.Dy()+2*margin))
	for i := range big.Pix {
		big.Pix[i] = 255
	}
	for y := range big.Rect.Dy() - 2*margin {
		for x := range big.Rect.Dx() - 2*margin {
			big.SetGray(margin+x, margin+y, img.GrayAt(x/scale, y/scale))
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(big)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return ""
	}
	return res.GetText()
}
