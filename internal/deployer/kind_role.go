package deployer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	iampolicy "github.com/gochalice/gochalice/internal/iam"
)

// RoleSpec is a function's execution role.
type RoleSpec struct {
	// TrustPolicy lets Lambda assume the role (canonical JSON).
	TrustPolicy string `json:"trust_policy"`
	// PolicyName is the name of the role's one inline policy.
	PolicyName string `json:"policy_name"`
	// Policy is the inline policy (canonical JSON).
	Policy string `json:"policy"`
	// Source says where the policy came from: the policy file's path, or
	// "autogen_policy".
	Source string `json:"source"`
}

// roleKind is a function's own execution role with its one inline
// policy (iam_role, "role:<function>").
func roleKind() kind {
	return kind{
		attributes: func(r *Resource, actual *State) map[string]string {
			return map[string]string{"trust_policy": r.Role.TrustPolicy, "policy": fillWebSocketAPIID(r.Role.Policy, r.DependsOn, actual)}
		},
		apply:    applyRole,
		delete:   deleteRole,
		discover: discoverRoles,
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			if want != nil {
				return rd.d.readRole(ctx, want.Name, want.Role.PolicyName)
			}
			return rd.d.readRole(ctx, rec.Name, rec.Name)
		},
		logicalID: "Role",
		cloudFormation: func(c *cfnContext, r Resource) (string, map[string]any, error) {
			trust, err := decodeJSON([]byte(r.Role.TrustPolicy))
			if err != nil {
				return "", nil, fmt.Errorf("trust policy: %w", err)
			}
			policy, err := webSocketSubJSON(c, r.Role.Policy)
			if err != nil {
				return "", nil, fmt.Errorf("policy: %w", err)
			}
			return "AWS::IAM::Role", map[string]any{
				"RoleName":                 r.Name,
				"AssumeRolePolicyDocument": trust,
				"Policies":                 []any{map[string]any{"PolicyName": r.Role.PolicyName, "PolicyDocument": policy}},
			}, nil
		},
		terraform: func(c *tfContext, r Resource) ([]tfBlock, error) {
			return []tfBlock{
				{typ: "aws_iam_role", name: c.Name, body: map[string]any{
					"name":               tfLiteral(r.Name),
					"assume_role_policy": tfLiteral(r.Role.TrustPolicy),
				}},
				{typ: "aws_iam_role_policy", name: c.Name, body: map[string]any{
					"name":   tfLiteral(r.Role.PolicyName),
					"role":   "${aws_iam_role." + c.Name + ".id}",
					"policy": webSocketExpand(c, r.Role.Policy),
				}},
			}, nil
		},
		// The stage's roles are "<app>-<stage>-*", tagged as the stage's
		// when created (iam:TagRole); Lambda is given them (iam:PassRole)
		// only to run its functions.
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iampolicy.Statement {
			roles := iampolicy.Strings{c.t.Role(c.stage.Prefix() + "-*")}
			return []iampolicy.Statement{
				allow("ManageRoles", []string{"iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:GetRole",
					"iam:GetRolePolicy", "iam:PutRolePolicy", "iam:TagRole", "iam:UpdateAssumeRolePolicy"}, roles, nil),
				passRole(roles),
			}
		},
	}
}

// passRole lets the deployer give Lambda the roles (a function's own, or
// a pre-made one) and nothing else.
func passRole(roles iampolicy.Strings) iampolicy.Statement {
	return allow("PassRolesToLambda", []string{"iam:PassRole"}, roles,
		iampolicy.Conditions{"StringEquals": {"iam:PassedToService": {"lambda.amazonaws.com"}}})
}

// trustPolicy lets Lambda assume a role.
func trustPolicy() string {
	return canonicalJSONString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
}

// roleNote is what a plan says of a function's role.
func roleNote(fn, source string) string {
	return "execution role of " + fn + " (one role per function); policy: " + source + " + its own log group"
}

func applyRole(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.Role
	a.mu.Lock()
	policy := fillWebSocketAPIID(spec.Policy, r.DependsOn, a.state)
	a.mu.Unlock()
	if strings.Contains(policy, WebSocketAPIIDPlaceholder) && slices.Contains(r.DependsOn, websocketAPIAddr) {
		return fmt.Errorf("the WebSocket API, whose id its policy names, is not recorded")
	}
	rs, ok := a.get(r.Address)
	if !ok || rs.ARN == "" {
		var out *iam.CreateRoleOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: &r.Name, AssumeRolePolicyDocument: &spec.TrustPolicy,
				Tags: iamTags(a.stage().Tags())})
			return err
		})
		var exists *iamtypes.EntityAlreadyExistsException
		switch {
		case errors.As(err, &exists):
			// Created by an earlier try whose answer was lost: adopt it.
			got, found, rerr := d.readRole(ctx, r.Name, spec.PolicyName)
			if rerr != nil {
				return rerr
			}
			if !found {
				return err
			}
			rs = got
		case err != nil:
			return err
		default:
			rs = ResourceState{Type: TypeRole, Name: r.Name, ARN: aws.ToString(out.Role.Arn),
				Attributes: map[string]string{"trust_policy": spec.TrustPolicy, "policy": ""}}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	rs.DependsOn = r.DependsOn
	if rs.Attributes["trust_policy"] != spec.TrustPolicy {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: &r.Name, PolicyDocument: &spec.TrustPolicy})
			return err
		}); err != nil {
			return err
		}
	}
	if rs.Attributes["policy"] != policy {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &r.Name, PolicyName: &spec.PolicyName, PolicyDocument: &policy})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = r.Attributes(nil)
	rs.Attributes["policy"] = policy
	return a.put(r.Address, rs)
}

// deleteRole deletes the role's inline policy, then the role (IAM
// refuses to delete a role that has policies).
func deleteRole(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	policyName := prior.Name
	err := d.retry(ctx, func() error {
		_, err := d.Clients.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &prior.Name, PolicyName: &policyName})
		return err
	})
	if err := ignore[*iamtypes.NoSuchEntityException](err); err != nil {
		return err
	}
	err = d.retry(ctx, func() error {
		_, err := d.Clients.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &prior.Name})
		return err
	})
	return ignore[*iamtypes.NoSuchEntityException](err)
}

func (d *Deployer) readRole(ctx context.Context, name, policyName string) (ResourceState, bool, error) {
	var out *iam.GetRoleOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
		return err
	})
	var missing *iamtypes.NoSuchEntityException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	rs := ResourceState{Type: TypeRole, Name: name, ARN: aws.ToString(out.Role.Arn), Attributes: map[string]string{
		"trust_policy": decodePolicy(aws.ToString(out.Role.AssumeRolePolicyDocument)),
		"policy":       "",
	}}
	var pol *iam.GetRolePolicyOutput
	err = d.retry(ctx, func() (err error) {
		pol, err = d.Clients.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &name, PolicyName: &policyName})
		return err
	})
	switch {
	case errors.As(err, &missing):
	case err != nil:
		return ResourceState{}, false, err
	default:
		rs.Attributes["policy"] = decodePolicy(aws.ToString(pol.PolicyDocument))
	}
	return rs, true, nil
}

// decodePolicy turns a policy document as IAM returns it (URL-encoded)
// into canonical JSON.
func decodePolicy(doc string) string {
	if s, err := url.QueryUnescape(doc); err == nil {
		doc = s
	}
	return canonicalJSONString(doc)
}
