package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"scanmail/device/localclient"
	"scanmail/webui"
)

// The web pages' listen addresses when -web does not say.
const (
	boardWeb = ":443"
	demoWeb  = "127.0.0.1:8080"
)

// web is the admin's web pages, serving.
type web struct {
	urls  []string
	certs *webui.Certs // nil over plain HTTP
	srv   *http.Server
	done  chan error
}

// startWeb serves the web pages on cfg.web, a client of the local API on
// its socket like the panel: over HTTPS with the kept certificate, or over
// plain HTTP when the address is loopback (the demo). It returns nil when
// -web is off.
func startWeb(cfg daemonConfig, log *slog.Logger) (*web, error) {
	addr := cfg.web
	if addr == "off" {
		return nil, nil
	}
	log = log.With("part", "web")
	ln, err := net.Listen("tcp", addr)
	if err != nil && cfg.webDefault && cfg.demo {
		// Another demo holds the usual port: any free one will do,
		// the guide names it.
		host, _, _ := net.SplitHostPort(addr)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return nil, fmt.Errorf("web pages: %w", err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	hosts := localNames()
	wc := webui.Config{API: &localclient.Client{Socket: cfg.socket}, Logger: log, Hosts: hosts}
	w := &web{done: make(chan error, 1)}
	w.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	if tcp.IP.IsLoopback() {
		w.urls = []string{"http://" + ln.Addr().String()}
		w.srv.Handler = webui.New(wc)
		go func() { w.done <- w.srv.Serve(ln) }()
	} else {
		certs, err := webui.OpenCerts(filepath.Dir(cfg.db), hosts)
		if err != nil {
			ln.Close()
			return nil, err
		}
		wc.Certs, w.certs = certs, certs
		w.urls = webURLs(tcp, hosts)
		w.srv.Handler = webui.New(wc)
		w.srv.TLSConfig = &tls.Config{GetCertificate: certs.GetCertificate, MinVersion: tls.VersionTLS12}
		go func() { w.done <- w.srv.ServeTLS(ln, "", "") }()
		log.Info("web certificate", "sha256", certs.Fingerprint())
	}
	log.Info("web pages serving", "urls", strings.Join(w.urls, " "))
	return w, nil
}

// Close stops serving; live pages' streams are cut, their browsers
// reconnect to the next daemon.
func (w *web) Close() error {
	if w == nil {
		return nil
	}
	w.srv.Close()
	if err := <-w.done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// URLs are where the pages are; none when off.
func (w *web) URLs() []string {
	if w == nil {
		return nil
	}
	return w.urls
}

// Fingerprint is the certificate's served now; "" over plain HTTP.
func (w *web) Fingerprint() string {
	if w == nil || w.certs == nil {
		return ""
	}
	return w.certs.Fingerprint()
}

// OnCertChange calls f with the fingerprint of each certificate the admin
// installs.
func (w *web) OnCertChange(f func(fingerprint string)) {
	if w.certs != nil {
		w.certs.OnChange(f)
	}
}

// localNames are the board's host name and its addresses but loopback's:
// the names a browser on the network reaches it by.
func localNames() []string {
	var names []string
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			names = append(names, n.IP.String())
		}
	}
	return names
}

// webURLs are the pages' addresses for a listener on tcp: on each of
// hosts when it listens on all of them.
func webURLs(tcp *net.TCPAddr, hosts []string) []string {
	port := ""
	if tcp.Port != 443 {
		port = fmt.Sprint(tcp.Port)
	}
	if !tcp.IP.IsUnspecified() {
		hosts = []string{tcp.IP.String()}
	}
	var urls []string
	for _, h := range hosts {
		host := h
		if port != "" {
			host = net.JoinHostPort(h, port)
		} else if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
		urls = append(urls, "https://"+host)
	}
	return urls
}
