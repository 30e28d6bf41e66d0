package emulator

import "context"

// EstablishTrust records that the platform has assumed the role of a
// role-based integration (aws-cross with a bound role, or aws-sts), as a
// passing access test does, so that tests of what reads the trust status
// need no AWS endpoint. It reports false when the integration does not
// exist or has no role to trust.
func (s *Server) EstablishTrust(id string) bool {
	s.mu.Lock()
	in, ok := s.st.Integrations[id]
	role := ""
	if ok {
		role = boundRoleARN(in)
	}
	s.mu.Unlock()
	if role == "" {
		return false
	}
	s.recordTrust(context.Background(), id, role, true)
	return true
}
