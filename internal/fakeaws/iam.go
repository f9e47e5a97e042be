package fakeaws

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

type role struct {
	arn      string
	trust    string
	policies map[string]string
	// tags are the role's tags, given at CreateRole.
	tags map[string]string
	// notReady is how many more CreateFunction calls fail to assume it.
	notReady int
}

// IAM is the account's IAM.
type IAM struct{ c *Cloud }

// IAM returns the account's IAM.
func (c *Cloud) IAM() *IAM { return &IAM{c} }

func noSuchRole(name string) error {
	return &iamtypes.NoSuchEntityException{Message: strp(fmt.Sprintf("The role with name %s cannot be found.", name))}
}

// GetRole returns a role, with its trust policy URL-encoded as IAM does.
func (s *IAM) GetRole(ctx context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	if _, err := s.c.begin(ctx, "iam", "GetRole", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, ok := s.c.roles[*in.RoleName]
	if !ok {
		return nil, noSuchRole(*in.RoleName)
	}
	return &iam.GetRoleOutput{Role: &iamtypes.Role{
		RoleName: in.RoleName, Arn: strp(r.arn), AssumeRolePolicyDocument: strp(url.QueryEscape(r.trust)),
		CreateDate: &time.Time{}, Path: strp("/"), RoleId: strp("AROA" + r.arn[len(r.arn)-8:]), Tags: iamTags(r.tags),
	}}, nil
}

// iamTags are tags as IAM returns them: sorted by key.
func iamTags(tags map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, iamtypes.Tag{Key: strp(k), Value: strp(tags[k])})
	}
	return out
}

// ListRoles lists the roles sorted by name, MaxItems (default 100) a
// page, without their tags, as IAM does (GetRole returns them).
func (s *IAM) ListRoles(ctx context.Context, in *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	if _, err := s.c.begin(ctx, "iam", "ListRoles", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	limit := int(aws.ToInt32(in.MaxItems))
	if limit <= 0 {
		limit = 100
	}
	out := &iam.ListRolesOutput{}
	for _, name := range slices.Sorted(maps.Keys(s.c.roles)) {
		if name <= aws.ToString(in.Marker) {
			continue
		}
		if len(out.Roles) == limit {
			out.IsTruncated, out.Marker = true, out.Roles[len(out.Roles)-1].RoleName
			break
		}
		r := s.c.roles[name]
		out.Roles = append(out.Roles, iamtypes.Role{RoleName: strp(name), Arn: strp(r.arn), Path: strp("/"), CreateDate: &time.Time{}})
	}
	return out, nil
}

// CreateRole creates a role that Lambda cannot assume for a while.
func (s *IAM) CreateRole(ctx context.Context, in *iam.CreateRoleInput, opts ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	return resend(s.c, attempts(opts, func(o *iam.Options) int { return o.RetryMaxAttempts }), func() (*iam.CreateRoleOutput, error) { return s.createRole(ctx, in) })
}

func (s *IAM) createRole(ctx context.Context, in *iam.CreateRoleInput) (*iam.CreateRoleOutput, error) {
	post, err := s.c.begin(ctx, "iam", "CreateRole", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	name := *in.RoleName
	if _, ok := s.c.roles[name]; ok {
		return nil, &iamtypes.EntityAlreadyExistsException{Message: strp(fmt.Sprintf("Role with name %s already exists.", name))}
	}
	if len(name) > 64 {
		return nil, &iamtypes.InvalidInputException{Message: strp("roleName must have length less than or equal to 64")}
	}
	r := &role{arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", s.c.Account, name), trust: *in.AssumeRolePolicyDocument,
		policies: map[string]string{}, notReady: s.c.RoleAssumeDelay, tags: map[string]string{}}
	for _, t := range in.Tags {
		r.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	s.c.roles[name] = r
	if post != nil {
		return nil, post
	}
	return &iam.CreateRoleOutput{Role: &iamtypes.Role{RoleName: in.RoleName, Arn: strp(r.arn)}}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *IAM) UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	post, err := s.c.begin(ctx, "iam", "UpdateAssumeRolePolicy", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, ok := s.c.roles[*in.RoleName]
	if !ok {
		return nil, noSuchRole(*in.RoleName)
	}
	r.trust = *in.PolicyDocument
	if post != nil {
		return nil, post
	}
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

// DeleteRole deletes a role that has no inline policies left.
func (s *IAM) DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, _ ...func(*iam.Options)) (*iam.DeleteRoleOutput, error) {
	post, err := s.c.begin(ctx, "iam", "DeleteRole", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, ok := s.c.roles[*in.RoleName]
	if !ok {
		return nil, noSuchRole(*in.RoleName)
	}
	if len(r.policies) > 0 {
		return nil, &iamtypes.DeleteConflictException{Message: strp("Cannot delete entity, must delete policies first.")}
	}
	delete(s.c.roles, *in.RoleName)
	if post != nil {
		return nil, post
	}
	return &iam.DeleteRoleOutput{}, nil
}

// GetRolePolicy returns an inline policy, URL-encoded as IAM does.
func (s *IAM) GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, _ ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	if _, err := s.c.begin(ctx, "iam", "GetRolePolicy", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, ok := s.c.roles[*in.RoleName]
	if !ok {
		return nil, noSuchRole(*in.RoleName)
	}
	doc, ok := r.policies[*in.PolicyName]
	if !ok {
		return nil, &iamtypes.NoSuchEntityException{Message: strp(fmt.Sprintf("The role policy with name %s cannot be found.", *in.PolicyName))}
	}
	return &iam.GetRolePolicyOutput{RoleName: in.RoleName, PolicyName: in.PolicyName, PolicyDocument: strp(url.QueryEscape(doc))}, nil
}

// PutRolePolicy sets an inline policy.
func (s *IAM) PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, opts ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	return resend(s.c, attempts(opts, func(o *iam.Options) int { return o.RetryMaxAttempts }), func() (*iam.PutRolePolicyOutput, error) { return s.putRolePolicy(ctx, in) })
}

func (s *IAM) putRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput) (*iam.PutRolePolicyOutput, error) {
	post, err := s.c.begin(ctx, "iam", "PutRolePolicy", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, ok := s.c.roles[*in.RoleName]
	if !ok {
		return nil, noSuchRole(*in.RoleName)
	}
	r.policies[*in.PolicyName] = *in.PolicyDocument
	if post != nil {
		return nil, post
	}
	return &iam.PutRolePolicyOutput{}, nil
}

// DeleteRolePolicy deletes an inline policy.
func (s *IAM) DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, _ ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error) {
	post, err := s.c.begin(ctx, "iam", "DeleteRolePolicy", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, ok := s.c.roles[*in.RoleName]
	if !ok {
		return nil, noSuchRole(*in.RoleName)
	}
	if _, ok := r.policies[*in.PolicyName]; !ok {
		return nil, &iamtypes.NoSuchEntityException{Message: strp(fmt.Sprintf("The role policy with name %s cannot be found.", *in.PolicyName))}
	}
	delete(r.policies, *in.PolicyName)
	if post != nil {
		return nil, post
	}
	return &iam.DeleteRolePolicyOutput{}, nil
}
