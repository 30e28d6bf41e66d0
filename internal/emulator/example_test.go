package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

// A test starts the emulator in process with the contract check on, points
// its client at URL + BasePath and, at the end, fails on any violation.
func Example() {
	contract, err := emulator.DefaultContract()
	if err != nil {
		panic(err)
	}
	srv, err := emulator.New(emulator.Options{Contract: contract})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	req, _ := http.NewRequest("GET", ts.URL+emulator.BasePath+"/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+emulator.DemoToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()

	fmt.Println(res.StatusCode, srv.Stats()["GET /users/me"], len(srv.ContractViolations()))
	// Output: 200 1 0
}
