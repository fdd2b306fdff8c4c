package main

import (
	"flag"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"cimd": main})
}

// TestScript runs the end-to-end stories in testdata/script against the real
// binary, with real servers (nginx, versitygw, TLS test servers) started by
// the script commands registered here.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds:          scriptCmds(),
		Setup: func(env *testscript.Env) error {
			// No colour, and no AWS settings leaking in from the machine.
			env.Setenv("NO_COLOR", "1")
			for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
				env.Setenv(k, "")
			}
			env.Setenv("AWS_CONFIG_FILE", env.WorkDir+"/.aws-config")
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", env.WorkDir+"/.aws-credentials")
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			// Every SARIF log a story leaves behind must pass the schema.
			env.Defer(func() { checkSARIFFiles(env.T(), env.WorkDir) })
			return nil
		},
	})
}

func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"tlsserver": cmdTLSServer,
		"nginx":     cmdNginx,
		"versitygw": cmdVersitygw,
		"cdn":       cmdCDN,
		"jwt":       cmdJWT,
	}
}
