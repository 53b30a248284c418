package webui

import (
	"fmt"
	"net/http"
	"strings"

	"rsc.io/qr"
)

// serveQR serves a QR code as SVG: of the sign-in page (signin) or of
// the admin-consent link (consent). It codes only what the device says,
// never text from the request.
func (s *server) serveQR(w http.ResponseWriter, r *http.Request) {
	var text string
	switch r.PathValue("name") {
	case "signin.svg":
		st, err := s.api.Status(r.Context())
		if err != nil {
			http.Error(w, "The device does not answer.", http.StatusServiceUnavailable)
			return
		}
		text = st.SignIn.VerificationURIComplete
		if text == "" {
			text = st.SignIn.VerificationURI
		}
	case "consent.svg":
		cfg, err := s.api.Config(r.Context())
		if err != nil {
			http.Error(w, "The device does not answer.", http.StatusServiceUnavailable)
			return
		}
		text = consentURL(cfg)
	}
	if text == "" {
		http.NotFound(w, r)
		return
	}
	svg, err := qrSVG(text)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Write([]byte(svg))
}

// qrSVG draws text's QR code as one SVG path, with the quiet zone of
// four modules around it; no style attribute, so that the CSP holds.
func qrSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	const quiet = 4
	n := code.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := range code.Size {
		for x := range code.Size {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
