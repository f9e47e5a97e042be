package main

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/policygen"
)

func deployerPolicyCommand(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "deployer-policy",
		Usage: "print the least-privilege IAM policy of the identity that runs deploy and delete for a stage",
		Description: `Prints the IAM policy that the identity running gochalice deploy, delete and invoke
needs for this app and stage: the IAM, Lambda, API Gateway, CloudWatch Logs, DynamoDB
and STS actions the deployer calls, scoped to the stage's roles (<app>-<stage>-*),
functions (<app>-<stage>, <app>-<stage>-*) and log groups, with iam:PassRole only
for those roles and only to Lambda. Resources the stage's recorded state
(.chalice/deployed/<stage>.json) still holds keep their statements, so a deploy can
sweep them and delete can remove them.

The region defaults to config.json's; the partition, region and account otherwise
stay ${AWS::Partition}, ${AWS::Region} and ${AWS::AccountId} placeholders. No AWS
call is made.`,
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage"},
			&cli.StringFlag{Name: "region", Usage: "the region (default: config.json's, else a placeholder)"},
			&cli.StringFlag{Name: "account", Usage: "the account ID (default: a placeholder)"},
		},
		Action: func(c *cli.Context) error {
			dir, stage := c.String("project-dir"), c.String("stage")
			p, err := env.resolve(c.Context, dir, stage)
			if err != nil {
				return err
			}
			recorded, err := deployer.LoadState(deployer.StatePath(dir, stage))
			if err != nil {
				return err
			}
			region := c.String("region")
			if region == "" {
				region = p.Region()
			}
			t := deployer.Target{Partition: policygen.Partition, Region: policygen.Region, Account: policygen.AccountID}
			if region != "" {
				t.Partition, t.Region = deployer.NewTarget(region, "").Partition, region
			}
			if a := c.String("account"); a != "" {
				t.Account = a
			}
			pol, err := deployer.DeployerPolicy(p, recorded, t)
			if err != nil {
				return err
			}
			data, err := pol.MarshalCanonical()
			if err != nil {
				return err
			}
			_, err = c.App.Writer.Write(data)
			return err
		},
	}
}

// resolveProject builds the app for the host in a temporary folder, takes
// its manifest with the stage's variables and resolves every function's
// settings: a project without the Lambda build, for commands that only
// read the app (gen-policy).
func resolveProject(ctx context.Context, dir, stage string) (*deployer.Project, error) {
	return defaultAWSEnv().resolve(ctx, dir, stage)
}
