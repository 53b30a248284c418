package webui

import (
	"net/http"

	"scanmail/device/apitype"
)

// statusPage is the device at a glance.
type statusPage struct {
	Status      apitype.Status
	Queue       []apitype.Job // not ended: scanning, queued, sending
	Failures    []apitype.Job // the latest failed jobs
	Fingerprint string
	Problem     *problem
}

// recentJobs is how many of the latest jobs the status page looks at.
const recentJobs = 50

func (s *server) serveStatus(w http.ResponseWriter, r *http.Request) {
	d := statusPage{}
	if s.certs != nil {
		d.Fingerprint = s.certs.Fingerprint()
	}
	st, err := s.api.Status(r.Context())
	if err == nil {
		d.Status = st
		var jobs []apitype.Job
		jobs, err = s.api.Jobs(r.Context(), recentJobs)
		for _, j := range jobs {
			switch j.State {
			case apitype.JobScanning, apitype.JobQueued, apitype.JobSending:
				d.Queue = append(d.Queue, j)
			case apitype.JobFailed:
				if len(d.Failures) < 5 {
					d.Failures = append(d.Failures, j)
				}
			}
		}
	}
	if err != nil {
		p := problemOf(err)
		d.Problem = &p
	}
	s.render(w, http.StatusOK, "status", page{Title: "Status", Nav: "status", Live: "snapshot status job signin", LoggedIn: true, Data: d})
}
