package main

import (
	"context"
	"image"
	"image/color"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"scanmail/board"
)

// ssd1306Chip is an SSD1306 controller on an I²C bus, as far as a panel
// drives it: commands set the page and column, display data fills its RAM
// from there. It stands where the chip is, behind periph's driver.
type ssd1306Chip struct {
	mu         sync.Mutex
	ram        [8][128]byte
	page, col  int
	horizontal bool
}

func (c *ssd1306Chip) String() string                  { return "ssd1306-chip" }
func (c *ssd1306Chip) SetSpeed(physic.Frequency) error { return nil }

// argBytes is how many bytes follow each command byte that takes some
// (datasheet §9).
var argBytes = map[byte]int{0x20: 1, 0x21: 2, 0x22: 2, 0x81: 1, 0x8D: 1, 0xA8: 1, 0xD3: 1, 0xD5: 1, 0xD9: 1, 0xDA: 1, 0xDB: 1}

func (c *ssd1306Chip) Tx(addr uint16, w, r []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(w) == 0 {
		return nil
	}
	if w[0] == 0x40 { // display data
		for _, b := range w[1:] {
			c.ram[c.page][c.col] = b
			c.col++
			if c.col == 128 {
				c.col = 0
				if c.horizontal {
					c.page = (c.page + 1) % 8
				}
			}
		}
		return nil
	}
	cmds := w[1:]
	for i := 0; i < len(cmds); i++ {
		b := cmds[i]
		switch {
		case b >= 0xB0 && b <= 0xB7:
			c.page, c.horizontal = int(b-0xB0), false
		case b <= 0x0F:
			c.col = c.col&0xF0 | int(b)
		case b >= 0x10 && b <= 0x1F:
			c.col = c.col&0x0F | int(b-0x10)<<4
		case b == 0x20:
			c.horizontal = cmds[i+1] == 0
		case b == 0x21:
			c.col = int(cmds[i+1])
		case b == 0x22:
			c.page = int(cmds[i+1])
		}
		i += argBytes[b]
	}
	return nil
}

// image is what the panel shows: a lit pixel light.
func (c *ssd1306Chip) image() *image.Gray {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := image.NewGray(image.Rect(0, 0, 128, 64))
	for p := range 8 {
		for x := range 128 {
			for bit := range 8 {
				if c.ram[p][x]&(1<<bit) != 0 {
					img.SetGray(x, 8*p+bit, color.Gray{Y: 255})
				}
			}
		}
	}
	return img
}

// TestPanelOnSSD1306: the daemon's panel, fitted with an SSD1306 on I²C,
// shows the device's state on the chip: daemon, local API, state machine,
// layout, periph's driver and the bus, read back off the chip's RAM.
func TestPanelOnSSD1306(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "scanmail.db")
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", db, "-watchdog", "off")
	defer d.stop()
	waitSocket(t, sock)

	chip := &ssd1306Chip{}
	disp, err := board.NewSSD1306I2C(chip, 0x3c, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg := daemonConfig{socket: sock, scanner: "sim", panel: panelFlags{display: displaySpec{Kind: displaySSD1306I2C}}}
	go func() {
		done <- runPanel(ctx, cfg, &fitted{bitmap: disp}, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runPanel: %v", err)
		}
	}()

	font := panelFont()
	var text string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		text = strings.Join(readPanel(chip.image(), font), "\n")
		if strings.Contains(text, "> Not ready") && strings.Contains(text, "Sign-in needed") {
			return
		}
	}
	t.Errorf("the SSD1306 never showed the device not ready for want of a sign-in; it shows:\n%s", text)
}
