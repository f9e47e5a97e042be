package main

import (
	"regexp"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/local"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

func localCommand() *cli.Command {
	return &cli.Command{
		Name:  "local",
		Usage: "serve the app's routes on 127.0.0.1 with the stage's environment variables",
		Description: `Builds the app for this machine and serves its routes, rebuilding when sources change.

Routes behind authorizers are served in local mode (see package app): custom token
and request authorizers run for real, in the app; a Cognito route takes a JWT whose
claims (audience, scopes, expiry) are checked but whose signature is not; an IAM
route takes any request with a SigV4 Authorization header, as the caller
--iam-identity names; an API-key route needs an x-api-key header.

Event handlers (queues, topics, buckets, schedules, ...) are not served: run one
with gochalice invoke --local --name NAME.`,
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage whose settings apply"},
			&cli.StringFlag{Name: "host", Value: "127.0.0.1", Usage: "address to listen on"},
			&cli.StringFlag{Name: "port", Value: "8000", Usage: "port to listen on"},
			&cli.BoolFlag{Name: "no-reload", Usage: "do not rebuild and restart when sources change"},
			&cli.StringFlag{Name: "iam-identity", Usage: "the IAM user or role ARN that callers of IAM-authorized routes have (default " + manifest.DefaultLocalIAMARN + ")"},
		},
		Action: func(c *cli.Context) error {
			dir, stage := c.String("project-dir"), c.String("stage")
			env := func() (map[string]string, error) {
				cfg, err := stages.Load(dir)
				if err != nil {
					return nil, err
				}
				s, err := cfg.Resolve(stage, manifest.APIHandlerName)
				if err != nil {
					return nil, err
				}
				return s.EnvironmentVariables, nil
			}
			// Configuration mistakes stop here, before anything is built.
			if _, err := env(); err != nil {
				return err
			}
			if id := c.String("iam-identity"); id != "" && !iamIdentityPattern.MatchString(id) {
				return usagef(c, "--iam-identity %q is not an IAM user or role ARN: use arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME", id)
			}
			return local.Run(c.Context, local.Options{
				ProjectDir:  dir,
				Stage:       stage,
				Host:        c.String("host"),
				Port:        c.String("port"),
				Env:         env,
				Reload:      !c.Bool("no-reload"),
				IAMIdentity: c.String("iam-identity"),
				Stdout:      c.App.Writer,
				Stderr:      c.App.ErrWriter,
			})
		},
	}
}

func projectDirFlag() cli.Flag {
	return &cli.StringFlag{Name: "project-dir", Value: ".", Usage: "the folder that holds the app's main package and .chalice/"}
}

// iamIdentityPattern matches the IAM user and role ARNs of --iam-identity
// (an assumed-role session, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION,
// is what a role's caller is seen as).
var iamIdentityPattern = regexp.MustCompile(`^arn:aws[a-z-]*:(iam::\d{12}:(user|role)/[\w+=,.@/-]+|sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+)$`)
