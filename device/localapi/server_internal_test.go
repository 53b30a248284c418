package localapi

import (
	"net/http"
	"testing"
)

// TestServerTimeouts: a client that connects and says nothing, or keeps an
// idle connection, is let go; a long stream is not cut by a server-wide
// write timeout (each write has its own deadline).
func TestServerTimeouts(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("read header timeout %v, idle timeout %v, max header bytes %d: want all set", srv.ReadHeaderTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
	}
	if srv.WriteTimeout != 0 || srv.ReadTimeout != 0 {
		t.Errorf("write timeout %v, read timeout %v: either would end a scan's stream (or cancel its context)", srv.WriteTimeout, srv.ReadTimeout)
	}
}
