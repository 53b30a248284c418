package webui

import (
	"bytes"
	"errors"
	"net/http"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// relayCertSection is the certificate page's part on the client
// certificate the device presents to a connector (the relay road): what
// is installed, never its key; a form to install one, from files or
// pasted PEM; and its removal.
type relayCertSection struct {
	Cert apitype.RelayCert
	// Known says the device told what is installed.
	Known              bool
	Installed, Removed bool
	// PastedCert is the certificate as pasted, when the device refused
	// it; a key pasted is never shown back.
	PastedCert string
	Problem    *problem
}

// relaySection asks the device for its connector certificate; p is the
// problem of the form just sent.
func (s *server) relaySection(r *http.Request, p *problem, pasted string) relayCertSection {
	d := relayCertSection{Problem: p, PastedCert: pasted}
	if p == nil {
		switch r.URL.Query().Get("relay") {
		case "installed":
			d.Installed = true
		case "removed":
			d.Removed = true
		}
	}
	rc, err := s.api.RelayCert(r.Context())
	if err != nil {
		if d.Problem == nil {
			pr := problemOf(err)
			d.Problem = &pr
		}
		return d
	}
	d.Cert, d.Known = rc, true
	return d
}

// postRelayCert installs the connector's client certificate and key; the
// device checks them (expiry, the key's match, a name in the
// organisation's domains) and its refusal is shown on the page in its
// words. A file chosen wins over text pasted.
func (s *server) postRelayCert(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4*maxCertUpload)
	// Pasted PEM may come as a plain form, too.
	if err := r.ParseMultipartForm(4 * maxCertUpload); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.relayPage(w, r, http.StatusBadRequest, &problem{Summary: "The files could not be read, or are too large.", Hint: "Choose the certificate and its key as PEM files, or paste them."}, "")
		return
	}
	certPEM, keyPEM := fileOrText(r, "relay_cert"), fileOrText(r, "relay_key")
	pasted := r.PostFormValue("relay_cert_pem")
	if len(bytes.TrimSpace(certPEM)) == 0 || len(bytes.TrimSpace(keyPEM)) == 0 {
		s.relayPage(w, r, http.StatusBadRequest, &problem{Summary: "Both the certificate and its private key are needed.", Hint: "Choose or paste the certificate (with its chain) and its key."}, pasted)
		return
	}
	rc, err := s.api.InstallRelayCert(r.Context(), apitype.RelayCertInstall{Cert: string(certPEM), Key: string(keyPEM)})
	if err != nil {
		p := problemOf(err)
		code := http.StatusBadGateway
		if localclient.ErrorCode(err) == apitype.CodeRelayCertInvalid {
			code = http.StatusBadRequest
		}
		s.relayPage(w, r, code, &p, pasted)
		return
	}
	s.log.Info("web: the connector's client certificate installed", "subject", rc.Subject, "sha256", rc.Fingerprint)
	http.Redirect(w, r, "/certificate?relay=installed#relay", http.StatusSeeOther)
}

func (s *server) postRelayCertRemove(w http.ResponseWriter, r *http.Request) {
	if _, err := s.api.RemoveRelayCert(r.Context()); err != nil {
		p := problemOf(err)
		s.relayPage(w, r, http.StatusBadGateway, &p, "")
		return
	}
	s.log.Info("web: the connector's client certificate removed")
	http.Redirect(w, r, "/certificate?relay=removed#relay", http.StatusSeeOther)
}

// fileOrText is the file chosen as name, else the text pasted as
// name_pem.
func fileOrText(r *http.Request, name string) []byte {
	if b := formFile(r, name); len(bytes.TrimSpace(b)) > 0 {
		return b
	}
	return []byte(r.PostFormValue(name + "_pem"))
}
