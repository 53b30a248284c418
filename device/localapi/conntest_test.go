package localapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// TestConnTestRoute: connection/test streams every step as it starts and
// ends, and a test that cannot run is an error answer.
func TestConnTestRoute(t *testing.T) {
	_, c, _ := signedIn(t)
	ctx := context.Background()

	var events []apitype.ConnTestStep
	steps, err := c.TestConnection(ctx, apitype.ConnTestRequest{To: "alice@fabrikam.example"}, func(s apitype.ConnTestStep) {
		events = append(events, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	order := []string{apitype.StepDNS, apitype.StepTCP, apitype.StepSTARTTLS, apitype.StepTLS, apitype.StepToken,
		apitype.StepAuth, apitype.StepMailFrom, apitype.StepRcpt, apitype.StepData}
	if len(steps) != len(order) || len(events) != 2*len(order) {
		t.Fatalf("%d steps, %d events: %+v", len(steps), len(events), events)
	}
	for i, name := range order {
		if s := steps[i]; s.Step != name || s.State != apitype.StepOK || s.Detail == "" {
			t.Errorf("step %d: %+v, want %s ok with a detail", i, s, name)
		}
		if e := events[2*i]; e.Step != name || e.State != apitype.StepRunning {
			t.Errorf("event %d: %+v, want %s running", 2*i, e, name)
		}
	}

	_, err = c.TestConnection(ctx, apitype.ConnTestRequest{To: "not an address"}, nil)
	var le *localclient.Error
	if !errors.As(err, &le) || le.Code != apitype.CodeInvalidAddress || le.Status != http.StatusBadRequest {
		t.Errorf("bad recipient: %v (%+v), want a 400 invalid-address", err, le)
	}
}
