package scan

import (
	"errors"
	"testing"
)

// TestPageSizeGuard: a page larger than the encoders may allocate for is
// refused from its header alone, whatever the word size. Run it with
// GOARCH=386 too: a 65535x65535 page wraps a 32-bit int.
func TestPageSizeGuard(t *testing.T) {
	tests := []struct {
		name          string
		width, height int
		ok            bool
	}{
		{"A4 at 600 dpi", 4961, 7016, true},
		{"A3 at 600 dpi", 7016, 9921, true},
		{"largest side, one row", 0xffff, 1, true},
		{"just at the pixel bound", 1 << 13, 1 << 14, true},
		{"one row past the pixel bound", 1 << 13, 1<<14 + 1, false},
		{"65535x65535, wraps an int32", 0xffff, 0xffff, false},
		{"65535x32769, wraps an int32 to a small positive", 0xffff, 0x8001, false},
		{"side past JPEG's", 0x10000, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPageSize(PageHeader{Width: tt.width, Height: tt.height, DPI: 300, Mode: ModeGray8})
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrUnsupported) {
				t.Errorf("got %v, want ErrUnsupported", err)
			}
		})
	}
	for _, h := range []PageHeader{{Width: 0, Height: 1, DPI: 300}, {Width: 1, Height: -1, DPI: 300}, {Width: 1, Height: 1}} {
		if err := checkPageSize(h); err == nil {
			t.Errorf("%+v passed", h)
		}
	}
}
