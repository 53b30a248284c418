package main

import (
	"reflect"
	"strings"
	"testing"

	"scanmail/board"
)

func TestParseDisplay(t *testing.T) {
	tests := []struct {
		in   string
		want displaySpec
	}{
		{"none", displaySpec{Kind: "none", Contrast: 32}},
		{"term", displaySpec{Kind: "term", Contrast: 32}},
		{"ssd1306-i2c:I2C1", displaySpec{Kind: "ssd1306-i2c", Bus: "I2C1", Addr: 0x3c, Contrast: 32}},
		{"ssd1306-i2c:1?addr=0x3d&rotate=1", displaySpec{Kind: "ssd1306-i2c", Bus: "1", Addr: 0x3d, Rotate: true, Contrast: 32}},
		{"ssd1306-spi:SPI0.0?dc=GPIO24", displaySpec{Kind: "ssd1306-spi", Bus: "SPI0.0", DC: "GPIO24", Contrast: 32}},
		{"st7567:SPI0.1?dc=GPIO24&rst=GPIO25&contrast=40", displaySpec{Kind: "st7567", Bus: "SPI0.1", DC: "GPIO24", Reset: "GPIO25", Contrast: 40}},
		{"hd44780:I2C1", displaySpec{Kind: "hd44780", Bus: "I2C1", Addr: 0x27, Rows: 2, Cols: 16, Contrast: 32}},
		{"hd44780:I2C1?addr=0x3f&size=20x4", displaySpec{Kind: "hd44780", Bus: "I2C1", Addr: 0x3f, Rows: 4, Cols: 20, Contrast: 32}},
		{"aip31068:I2C1", displaySpec{Kind: "aip31068", Bus: "I2C1", Addr: 0x3e, Rows: 2, Cols: 16, Contrast: 32}},
	}
	for _, tt := range tests {
		got, err := parseDisplay(tt.in)
		if err != nil {
			t.Errorf("parseDisplay(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseDisplay(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseDisplayRefuses(t *testing.T) {
	tests := []struct{ in, words string }{
		{"", "empty"},
		{"lcd:I2C1", "unknown display"},
		{"ssd1306-i2c", "needs a bus"},
		{"ssd1306-spi:SPI0.0", "D/C pin"},
		{"st7567:SPI0.0?dc=GPIO24&contrast=64", "0 to 63"},
		{"ssd1306-i2c:I2C1?addr=0x1ff", "7-bit"},
		{"hd44780:I2C1?size=40x4", "16x2, 20x2 or 20x4"},
		{"hd44780:I2C1?dc=GPIO2", `no parameter "dc"`},
		{"term:x", "takes no bus"},
		{"ssd1306-spi:SPI0.0?dc=GPIO24&hz=9000000", `no parameter "hz"`},
		{"aip31068:I2C1?addr", "key=value"},
	}
	for _, tt := range tests {
		_, err := parseDisplay(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.words) {
			t.Errorf("parseDisplay(%q) = %v, want an error saying %q", tt.in, err, tt.words)
		}
	}
}

func TestParseKeys(t *testing.T) {
	tests := []struct {
		in   string
		want keysSpec
	}{
		{"buttons:?up=GPIO5&ok=GPIO13&stop=GPIO21", keysSpec{Kind: "buttons", Buttons: []buttonSpec{
			{board.KeyUp, "GPIO5"}, {board.KeyOK, "GPIO13"}, {board.KeyStop, "GPIO21"}}}},
		{"buttons:?start=GPIO26&active=high", keysSpec{Kind: "buttons", ActiveHigh: true, Buttons: []buttonSpec{{board.KeyStart, "GPIO26"}}}},
		{"matrix:?rows=GPIO1,GPIO2&cols=GPIO3,GPIO4,GPIO5&keys=1,2,3;*,-,#", keysSpec{Kind: "matrix",
			Rows: []string{"GPIO1", "GPIO2"}, Cols: []string{"GPIO3", "GPIO4", "GPIO5"},
			Keys: [][]board.Key{{board.Key1, board.Key2, board.Key3}, {board.KeyStar, board.KeyNone, board.KeyHash}}}},
		{"matrix:I2C1?expander=pcf8574&rows=0,1&cols=4,5&keys=up,down;ok,back", keysSpec{Kind: "matrix", Bus: "I2C1",
			Expander: "pcf8574", Addr: 0x20, Rows: []string{"0", "1"}, Cols: []string{"4", "5"},
			Keys: [][]board.Key{{board.KeyUp, board.KeyDown}, {board.KeyOK, board.KeyBack}}}},
		{"matrix:I2C1?expander=mcp23017&addr=0x21&rows=8&cols=15&keys=0", keysSpec{Kind: "matrix", Bus: "I2C1",
			Expander: "mcp23017", Addr: 0x21, Rows: []string{"8"}, Cols: []string{"15"}, Keys: [][]board.Key{{board.Key0}}}},
	}
	for _, tt := range tests {
		got, err := parseKeys(tt.in)
		if err != nil {
			t.Errorf("parseKeys(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseKeys(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseKeysRefuses(t *testing.T) {
	tests := []struct{ in, words string }{
		{"knob:?a=1", "unknown kind"},
		{"buttons:", "no key given"},
		{"buttons:I2C1?ok=GPIO1", "SoC's GPIO"},
		{"buttons:?enter=GPIO1", "not a key name"},
		{"buttons:?ok=", "has no pin"},
		{"buttons:?ok=GPIO1&active=up", "low or high"},
		{"matrix:?rows=GPIO1&cols=GPIO2", "needs rows, cols and keys"},
		{"matrix:?rows=GPIO1,GPIO2&cols=GPIO3&keys=1", "1 rows for 2 row pins"},
		{"matrix:?rows=GPIO1&cols=GPIO3&keys=1,2", "2 keys for 1 column pins"},
		{"matrix:?rows=GPIO1&cols=GPIO3&keys=x", "not a key name"},
		{"matrix:?rows=GPIO1&cols=GPIO3&keys=1&expander=pcf8574", "needs its I²C bus"},
		{"matrix:I2C1?rows=1&cols=3&keys=1", "needs expander="},
		{"matrix:I2C1?expander=tca9555&rows=1&cols=3&keys=1", "unknown expander"},
		{"matrix:I2C1?expander=pcf8574&rows=P1&cols=3&keys=1", "not a pin number"},
	}
	for _, tt := range tests {
		_, err := parseKeys(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.words) {
			t.Errorf("parseKeys(%q) = %v, want an error saying %q", tt.in, err, tt.words)
		}
	}
}
