package localapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/localapi"
	"scanmail/device/localclient"
	"scanmail/scan/scansim"
)

func newDevice(t *testing.T) (*device.Device, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := device.OpenStore(filepath.Join(dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	dev, err := device.New(device.Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: filepath.Join(dir, "spool")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	return dev, dir
}

// serve runs the local API on a Unix socket and returns a client for it.
func serve(t *testing.T) *localclient.Client {
	t.Helper()
	dev, dir := newDevice(t)
	return serveDevice(t, dev, dir)
}

// serveDevice runs the local API of dev on a Unix socket in dir until the
// test ends, and returns a client for it.
func serveDevice(t *testing.T, dev *device.Device, dir string) *localclient.Client {
	t.Helper()
	sock := filepath.Join(dir, apitype.SocketName)
	ln, err := localapi.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- localapi.Serve(ctx, ln, localapi.NewHandler(dev, nil)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return &localclient.Client{Socket: sock}
}

func TestConfigRoundTrip(t *testing.T) {
	c := serve(t)
	ctx := context.Background()
	cfg, err := c.SetConfig(ctx, "client_id", "abc")
	if err != nil {
		t.Fatal(err)
	}
	if v := value(cfg, "client_id"); v != "abc" {
		t.Fatalf("client_id = %q", v)
	}
	_, err = c.SetConfig(ctx, "custom.smtp_port", "465")
	var le *localclient.Error
	if !errors.As(err, &le) || le.Status != http.StatusUnprocessableEntity || le.Code != apitype.CodeInvalidSetting ||
		le.Key != "custom.smtp_port" || !strings.Contains(le.Message, "587") {
		t.Fatalf("port 465: %v (%+v), want a 422 invalid-setting of custom.smtp_port saying 587", err, le)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ready || !strings.Contains(st.Problem, "Not signed in") || st.ProblemCode != apitype.CodeSignInNeeded {
		t.Errorf("status of a new device: ready %v, problem %q (%s)", st.Ready, st.Problem, st.ProblemCode)
	}
	jobs, err := c.Jobs(ctx, 5)
	if err != nil || len(jobs) != 0 {
		t.Errorf("jobs %v %v", jobs, err)
	}
}

func TestScanRefusedBeforeSignIn(t *testing.T) {
	c := serve(t)
	_, err := c.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@example.com"}}, nil)
	var le *localclient.Error
	if !errors.As(err, &le) || !strings.Contains(le.Message, "Not signed in") || le.Hint == "" {
		t.Fatalf("got %v, want not signed in with a hint", err)
	}
}

func TestSecondDaemonRefused(t *testing.T) {
	_, dir := newDevice(t)
	sock := filepath.Join(dir, "s.sock")
	ln, err := localapi.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := localapi.Listen(sock); !errors.Is(err, localapi.ErrRunning) {
		t.Fatalf("second listen: %v, want ErrRunning", err)
	}
}

func TestNotRunning(t *testing.T) {
	c := &localclient.Client{Socket: filepath.Join(t.TempDir(), "none.sock")}
	if _, err := c.Status(context.Background()); !errors.Is(err, localclient.ErrNotRunning) {
		t.Fatalf("got %v, want ErrNotRunning", err)
	}
}

func TestHandlerRefuses(t *testing.T) {
	dev, _ := newDevice(t)
	h := localapi.NewHandler(dev, nil)
	tests := []struct {
		name, method, path string
		header             [2]string
		want               int
	}{
		{"browser origin", "GET", "/localapi/v0/status", [2]string{"Origin", "http://evil.example"}, http.StatusForbidden},
		{"browser referer", "GET", "/localapi/v0/status", [2]string{"Referer", "http://evil.example/"}, http.StatusForbidden},
		{"unknown", "GET", "/localapi/v0/nope", [2]string{}, http.StatusNotFound},
		{"outside prefix", "GET", "/status", [2]string{}, http.StatusNotFound},
		{"wrong method", "GET", "/localapi/v0/scan", [2]string{}, http.StatusMethodNotAllowed},
		{"ok", "GET", "/localapi/v0/status", [2]string{}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.header[0] != "" {
				req.Header.Set(tt.header[0], tt.header[1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

func TestBadBody(t *testing.T) {
	dev, _ := newDevice(t)
	h := localapi.NewHandler(dev, nil)
	req := httptest.NewRequest("POST", "/localapi/v0/config/set", strings.NewReader(`{"key": 1}`))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "bad request body") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func value(cfg apitype.Config, key string) string {
	for _, s := range cfg.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// TestSignInBody: the sign-in route takes an optional request body; an
// older client sends none. Either reaches the device (which, with no
// client_id, says so); a body it does not know is refused.
func TestSignInBody(t *testing.T) {
	dev, _ := newDevice(t)
	h := localapi.NewHandler(dev, nil)
	for _, tt := range []struct {
		body, want string
		status     int
	}{
		{"", `"key":"client_id"`, http.StatusConflict},
		{`{"replace_account":true}`, `"key":"client_id"`, http.StatusConflict},
		{`{"replace":true}`, "bad request body", http.StatusBadRequest},
	} {
		req := httptest.NewRequest(http.MethodPost, "http://local-scanmaild.sock"+apitype.PathPrefix+"signin", strings.NewReader(tt.body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("body %q: %d %s, want %d %q", tt.body, rec.Code, rec.Body, tt.status, tt.want)
		}
	}
}
