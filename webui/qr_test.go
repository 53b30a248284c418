package webui

import (
	"fmt"
	"strings"
	"testing"

	"rsc.io/qr"
)

// TestQRSVG: the SVG draws exactly the code's dark modules, inside the
// quiet zone, with no style attribute for the CSP to refuse.
func TestQRSVG(t *testing.T) {
	const text = "https://login.microsoft.com/device?code=ABCD1234"
	svg, err := qrSVG(text)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(svg, "style") || strings.Contains(svg, "<script") {
		t.Errorf("SVG with style or script: %s", svg[:100])
	}
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[[2]int]bool{}
	d := svg[strings.Index(svg, ` d="`)+4:]
	d = d[:strings.Index(d, `"`)]
	for _, m := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		var x, y int
		if _, err := fmt.Sscanf(m, "M%d %dh1v1h-1", &x, &y); err != nil {
			t.Fatalf("module %q: %v", m, err)
		}
		drawn[[2]int{x - 4, y - 4}] = true
	}
	for y := range code.Size {
		for x := range code.Size {
			if code.Black(x, y) != drawn[[2]int{x, y}] {
				t.Fatalf("module %d,%d: drawn %v, code %v", x, y, drawn[[2]int{x, y}], code.Black(x, y))
			}
		}
	}
	if want := fmt.Sprintf(`viewBox="0 0 %d %d"`, code.Size+8, code.Size+8); !strings.Contains(svg, want) {
		t.Errorf("no %s", want)
	}
}
