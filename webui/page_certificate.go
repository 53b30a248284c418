package webui

import (
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// certificatePage shows the certificate the pages are served with, takes
// the organisation's own, and gives a request for its CA to sign.
type certificatePage struct {
	HTTPS       bool
	Leaf        *x509.Certificate
	Fingerprint string
	Installed   bool
	Problem     *problem
	// Relay is the client certificate presented to a connector.
	Relay relayCertSection
}

// maxCertUpload bounds an uploaded certificate chain and key.
const maxCertUpload = 64 << 10

func (s *server) serveCertificate(w http.ResponseWriter, r *http.Request) {
	s.certificatePage(w, r, http.StatusOK, nil)
}

func (s *server) certificatePage(w http.ResponseWriter, r *http.Request, code int, p *problem) {
	s.certificates(w, r, code, p, s.relaySection(r, nil, ""))
}

// relayPage is the certificate page answering the connector
// certificate's form: its problem, and the certificate pasted.
func (s *server) relayPage(w http.ResponseWriter, r *http.Request, code int, p *problem, pasted string) {
	s.certificates(w, r, code, nil, s.relaySection(r, p, pasted))
}

func (s *server) certificates(w http.ResponseWriter, r *http.Request, code int, p *problem, relay relayCertSection) {
	d := certificatePage{HTTPS: s.certs != nil, Installed: r.URL.Query().Has("installed"), Problem: p, Relay: relay}
	if s.certs != nil {
		d.Leaf, d.Fingerprint = s.certs.Leaf(), s.certs.Fingerprint()
	}
	s.render(w, code, "certificate", page{Title: "Certificates", Nav: "certificate", LoggedIn: true, Data: d})
}

func (s *server) postCertificate(w http.ResponseWriter, r *http.Request) {
	if s.certs == nil {
		s.certificatePage(w, r, http.StatusConflict, &problem{Summary: "These pages are served without HTTPS, on this machine only.", Hint: "A certificate is for pages served on the network."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCertUpload)
	if err := r.ParseMultipartForm(maxCertUpload); err != nil {
		s.certificatePage(w, r, http.StatusBadRequest, &problem{Summary: "The files could not be read, or are too large.", Hint: "Choose the certificate (and its key) as PEM files."})
		return
	}
	certPEM, keyPEM := formFile(r, "cert"), formFile(r, "key")
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if err := s.certs.Install(certPEM, keyPEM, host, time.Now()); err != nil {
		if ce, ok := errors.AsType[*CertError](err); ok {
			s.certificatePage(w, r, http.StatusBadRequest, &problem{Summary: ce.Summary, Hint: ce.Hint})
			return
		}
		s.log.Error("web: certificate not installed", "err", err)
		s.certificatePage(w, r, http.StatusInternalServerError, &problem{Summary: "The certificate could not be kept.", Hint: "The device's log says why."})
		return
	}
	s.log.Info("web: the organisation's certificate installed", "sha256", s.certs.Fingerprint())
	http.Redirect(w, r, "/certificate?installed", http.StatusSeeOther)
}

func formFile(r *http.Request, name string) []byte {
	f, _, err := r.FormFile(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxCertUpload))
	return b
}

func (s *server) serveCSR(w http.ResponseWriter, r *http.Request) {
	if s.certs == nil {
		http.NotFound(w, r)
		return
	}
	csr, err := s.certs.CSR()
	if err != nil {
		s.log.Error("web: certificate request", "err", err)
		http.Error(w, "The request could not be made; the device's log says why.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkcs10")
	w.Header().Set("Content-Disposition", `attachment; filename="scanmail.csr"`)
	w.Write(csr)
}
