// Package transport reads the "scanner" setting: which byte stream leads to
// the scanner engine. It only describes the stream; cmd/ opens it, with
// scan/serial or scan/spilink, or starts the in-process simulator.
//
// The setting has one of three forms:
//
//	serial:/dev/ttyS1?baud=3000000
//	spi:SPI0.0?ready=GPIO17&hz=8000000&packet=4096
//	sim
//
// For serial, the path is the device and baud its speed (default 115200),
// one of serial.SupportedBauds. For spi, the port and ready pin are
// periph.io names (spireg, gpioreg), ready being the engine's data-ready
// line (required); hz is the highest clock (default 8000000; the port may
// be slower) and packet the transfer size that the engine uses too
// (default 4096, see scan/spilink). sim is the simulator and takes nothing.
package transport

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"scanmail/scan/serial"
	"scanmail/scan/spilink"
)

// The kinds of transport.
const (
	KindSerial = "serial"
	KindSPI    = "spi"
	KindSim    = "sim"
)

// Defaults for the parameters a setting leaves out.
const (
	DefaultBaud   = 115200
	DefaultHz     = 8_000_000
	DefaultPacket = spilink.DefaultPacketSize
)

// maxHz is far above any SPI clock, and keeps Hz well inside
// physic.Frequency's range.
const maxHz = 1_000_000_000

// Spec is a parsed scanner setting. Only the fields of its Kind are set.
type Spec struct {
	Kind string // KindSerial, KindSPI or KindSim

	Path string // serial: the device
	Baud int    // serial: line speed

	SPIPort  string // spi: the port's name, such as SPI0.0
	ReadyPin string // spi: the data-ready pin's name, such as GPIO17
	Hz       int64  // spi: highest clock frequency, in hertz
	Packet   int    // spi: transfer size in bytes
}

// Parse reads a scanner setting.
func Parse(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Spec{}, errors.New("transport: empty scanner setting; want serial:…, spi:… or sim")
	}
	kind, rest := s, ""
	if i := strings.IndexAny(s, ":?"); i >= 0 {
		kind, rest = s[:i], strings.TrimPrefix(s[i:], ":")
	}
	target, rawQuery, _ := strings.Cut(rest, "?")
	switch kind {
	case KindSim:
		if rest != "" {
			return Spec{}, fmt.Errorf("transport: %q: sim takes no device or parameters", s)
		}
		return Spec{Kind: KindSim}, nil
	case KindSerial, KindSPI:
	default:
		return Spec{}, fmt.Errorf("transport: %q: unknown kind %q; want serial, spi or sim", s, kind)
	}
	params, err := parseQuery(rawQuery)
	if err != nil {
		return Spec{}, fmt.Errorf("transport: %q: %w", s, err)
	}
	var spec Spec
	if kind == KindSerial {
		spec, err = parseSerial(target, params)
	} else {
		spec, err = parseSPI(target, params)
	}
	if err != nil {
		return Spec{}, fmt.Errorf("transport: %q: %w", s, err)
	}
	return spec, nil
}

func parseSerial(target string, params map[string]string) (Spec, error) {
	if err := onlyKeys(params, "baud"); err != nil {
		return Spec{}, err
	}
	if target == "" {
		return Spec{}, errors.New("no device path (as in serial:/dev/ttyS1)")
	}
	if !path.IsAbs(target) || path.Clean(target) != target {
		return Spec{}, fmt.Errorf("device path %q must be absolute and clean (as in serial:/dev/ttyS1)", target)
	}
	spec := Spec{Kind: KindSerial, Path: target, Baud: DefaultBaud}
	if v, ok := params["baud"]; ok {
		b, err := number("baud", v, 1, 1<<31-1)
		if err != nil {
			return Spec{}, err
		}
		spec.Baud = int(b)
	}
	if !serial.SupportedBaud(spec.Baud) {
		return Spec{}, fmt.Errorf("baud %d is not supported; use one of %v", spec.Baud, serial.SupportedBauds())
	}
	return spec, nil
}

func parseSPI(target string, params map[string]string) (Spec, error) {
	if err := onlyKeys(params, "ready", "hz", "packet"); err != nil {
		return Spec{}, err
	}
	if target == "" {
		return Spec{}, errors.New("no SPI port (as in spi:SPI0.0?ready=GPIO17)")
	}
	spec := Spec{Kind: KindSPI, SPIPort: target, ReadyPin: params["ready"], Hz: DefaultHz, Packet: DefaultPacket}
	if spec.ReadyPin == "" {
		return Spec{}, errors.New("no data-ready pin (add ?ready=GPIO17 or the pin's name)")
	}
	if v, ok := params["hz"]; ok {
		hz, err := number("hz", v, 1, maxHz)
		if err != nil {
			return Spec{}, err
		}
		spec.Hz = hz
	}
	if v, ok := params["packet"]; ok {
		n, err := number("packet", v, spilink.MinPacketSize, spilink.MaxPacketSize)
		if err != nil {
			return Spec{}, err
		}
		spec.Packet = int(n)
	}
	return spec, nil
}

// parseQuery splits key=value&… and refuses empty or repeated keys.
func parseQuery(raw string) (map[string]string, error) {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("bad parameters %q: %w", raw, err)
	}
	params := make(map[string]string, len(values))
	for k, vs := range values {
		switch {
		case len(vs) > 1:
			return nil, fmt.Errorf("%s given %d times", k, len(vs))
		case vs[0] == "":
			return nil, fmt.Errorf("%s has no value", k)
		}
		params[k] = vs[0]
	}
	return params, nil
}

func onlyKeys(params map[string]string, keys ...string) error {
	for k := range params {
		if !slices.Contains(keys, k) {
			return fmt.Errorf("unknown parameter %q; want %s", k, strings.Join(keys, ", "))
		}
	}
	return nil
}

func number(name, v string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a whole number", name, v)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s %d out of range %d … %d", name, n, lo, hi)
	}
	return n, nil
}

// String gives the setting back in the form Parse reads, with every
// parameter written out.
func (s Spec) String() string {
	switch s.Kind {
	case KindSerial:
		return fmt.Sprintf("serial:%s?baud=%d", s.Path, s.Baud)
	case KindSPI:
		q := url.Values{"ready": {s.ReadyPin}, "hz": {strconv.FormatInt(s.Hz, 10)}, "packet": {strconv.Itoa(s.Packet)}}
		return "spi:" + s.SPIPort + "?" + q.Encode()
	}
	return s.Kind
}
