package webui

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"scanmail/device/apitype"
)

// jobStates are the filters of the jobs page, in the order shown.
var jobStates = []string{apitype.JobScanning, apitype.JobQueued, apitype.JobSending, apitype.JobSent, apitype.JobFailed, apitype.JobCanceled}

type jobsPage struct {
	States  []string
	State   string // the filter; "" for every job
	Jobs    []apitype.Job
	Problem *problem
}

// jobsListed is how many of the latest jobs the jobs page lists.
const jobsListed = 100

func (s *server) serveJobs(w http.ResponseWriter, r *http.Request) {
	d := jobsPage{States: jobStates, State: r.URL.Query().Get("state")}
	if !slices.Contains(jobStates, d.State) {
		d.State = ""
	}
	jobs, err := s.api.Jobs(r.Context(), jobsListed)
	if err != nil {
		p := problemOf(err)
		d.Problem = &p
	}
	for _, j := range jobs {
		if d.State == "" || j.State == d.State {
			d.Jobs = append(d.Jobs, j)
		}
	}
	s.render(w, http.StatusOK, "jobs", page{Title: "Jobs", Nav: "jobs", Live: "snapshot job", LoggedIn: true, Data: d})
}

type jobPage struct {
	Job       apitype.Job
	CanCancel bool
	CanResend bool
	Problem   *problem
}

func (s *server) serveJob(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	s.jobPage(w, r, id, http.StatusOK, nil)
}

func (s *server) jobPage(w http.ResponseWriter, r *http.Request, id uint64, code int, p *problem) {
	d := jobPage{Problem: p}
	job, err := s.api.Job(r.Context(), id)
	if err != nil {
		pr := problemOf(err)
		d.Problem = &pr
		code = http.StatusNotFound
	}
	d.Job = job
	d.CanCancel = job.State == apitype.JobScanning || job.State == apitype.JobQueued
	d.CanResend = job.State == apitype.JobFailed
	s.render(w, code, "job", page{Title: fmt.Sprintf("Job %d", id), Nav: "jobs", Live: "snapshot job", LoggedIn: true, Data: d})
}

func (s *server) postJobCancel(w http.ResponseWriter, r *http.Request) {
	s.jobAction(w, r, s.api.CancelJob)
}

func (s *server) postJobResend(w http.ResponseWriter, r *http.Request) {
	s.jobAction(w, r, s.api.ResendJob)
}

// jobAction acts on a job and shows it after, with why the device
// refused, if it did.
func (s *server) jobAction(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, id uint64) (apitype.Job, error)) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if _, err := act(r.Context(), id); err != nil {
		p := problemOf(err)
		s.jobPage(w, r, id, http.StatusConflict, &p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/jobs/%d", id), http.StatusSeeOther)
}
