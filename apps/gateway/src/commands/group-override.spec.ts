import { ApiRole, ErrorCode } from '@berth/contracts';
import { assertMayOverrideGroup } from './group-override';

describe("undeploying a group's deployment without naming the group", () => {
  const as = (role: ApiRole) => ({ subject: 'someone', role });
  const refusal = (run: () => void): unknown => {
    try {
      run();
    } catch (err) {
      return err;
    }
    return undefined;
  };

  it('is an admin’s call', () => {
    expect(() => assertMayOverrideGroup(true, as(ApiRole.ADMIN))).not.toThrow();
    const denied = refusal(() => assertMayOverrideGroup(true, as(ApiRole.DEPLOY)));
    expect(JSON.stringify(denied)).toContain(ErrorCode.FORBIDDEN);
    expect(refusal(() => assertMayOverrideGroup(true, as(ApiRole.READ)))).toBeDefined();
  });

  it('asks nothing when not overriding, or without authentication', () => {
    expect(() => assertMayOverrideGroup(undefined, as(ApiRole.READ))).not.toThrow();
    expect(() => assertMayOverrideGroup(false, as(ApiRole.DEPLOY))).not.toThrow();
    expect(() => assertMayOverrideGroup(true, undefined)).not.toThrow();
  });
});
