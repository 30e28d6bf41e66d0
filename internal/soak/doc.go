// Package soak holds the long-running and crash tests of the provider: the
// real terraform binary drives a freshly built provider binary (through a
// dev_overrides CLI configuration) against the emulator run as a
// subprocess with a data file (cmd/dataloop-emulator).
//
//   - TestSoak runs apply / re-plan / destroy cycles of a mixed
//     configuration while the emulator injects a seeded mix of faults, and
//     checks after every cycle that the platform holds exactly what the
//     state says and that a second plan is empty. SOAK_CYCLES sets the
//     number of cycles (`make soak` runs 200; `make test` a handful).
//   - TestKill* kill terraform (SIGKILL) during creates and kill and
//     restart the emulator mid-apply, then check that nothing is lost or
//     duplicated, that the data file loads, and that the re-apply converges.
//
// The tests need TF_ACC, like the acceptance tests.
package soak
