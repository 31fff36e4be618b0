import Domain
import Foundation
import Testing

struct AccessPolicyTests {
    static let practice = UUID()
    static let other = UUID()

    @Test(arguments: [
        (Role.secretary, true, true),
        (Role.secretary, false, false),
        (Role.practitioner, true, true),
        (Role.practitioner, false, false),
        (Role.supervisor, false, true),
        (Role.admin, false, true),
    ])
    func practiceAccessFollowsRoleAndAssignment(role: Role, assigned: Bool, expected: Bool) {
        let assignments: Set<UUID> = assigned ? [Self.practice] : [Self.other]
        #expect(AccessPolicy.mayAccess(practice: Self.practice, role: role, assignedPractices: assignments) == expected)
    }

    @Test(arguments: Role.allCases)
    func onlyAdministratorsManageUsers(role: Role) {
        #expect(AccessPolicy.role(role, has: .manageUsers) == (role == .admin))
    }

    @Test(arguments: Role.allCases)
    func everyoneButSecretariesEditsTheAgenda(role: Role) {
        #expect(AccessPolicy.role(role, has: .editAgenda) == (role != .secretary))
        #expect(AccessPolicy.role(role, has: .managePatientFiles) == (role != .secretary))
        #expect(AccessPolicy.role(role, has: .editPlaybook) == (role != .secretary))
    }

    @Test func onlyTheCenterReadsTheAuditJournal() {
        #expect(Role.allCases.filter { AccessPolicy.role($0, has: .viewAudit) } == [.supervisor, .admin])
    }

    @Test func assignmentRulesPerRole() {
        #expect(AccessPolicy.assignmentRule(for: .practitioner) == 1...1)
        #expect(AccessPolicy.assignmentRule(for: .secretary).contains(3))
        #expect(!AccessPolicy.assignmentRule(for: .secretary).contains(0))
        #expect(AccessPolicy.assignmentRule(for: .supervisor) == 0...0)
        #expect(AccessPolicy.assignmentRule(for: .admin) == 0...0)
    }

    @Test(arguments: [
        ("", PasswordProblem.tooShort(minimum: 12)),
        ("onze-caract", PasswordProblem.tooShort(minimum: 12)),
        ("            ", PasswordProblem.blank),
        (String(repeating: "é", count: 37), PasswordProblem.tooLong(maximumBytes: 72)),
    ])
    func passwordsRefusedWithReason(password: String, problem: PasswordProblem) {
        #expect(PasswordPolicy.problem(with: password) == problem)
    }

    @Test(arguments: ["AzertyUIOP", "azertyuiop123!", "Motdepasse 2026", "aaaaaaaaaaaaaa", "passwordpassword"])
    func commonPasswordsAndTheirVariantsAreRefused(password: String) {
        let common: Set<String> = ["azertyuiop", "motdepasse", "passwordpassword"]
        #expect(PasswordPolicy.problem(with: password.count < 12 ? password + "!!" : password, common: common) == .common)
    }

    @Test func aRarePasswordWithACommonWordInsideIsAccepted() {
        #expect(PasswordPolicy.problem(with: "le soleil de Pontarlier", common: ["soleil"]) == nil)
    }

    @Test(arguments: ["douze-caract", "correct horse battery", "été à Besançon près du lac"])
    func passwordsAccepted(password: String) {
        #expect(PasswordPolicy.problem(with: password) == nil)
    }
}

struct LoginThrottleTests {
    let throttle = LoginThrottle(maximumFailures: 5, lockDuration: 900)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fourFailuresDoNotLock() {
        var state = LoginAttemptState()
        for _ in 1...4 { state = throttle.afterFailure(state, now: start) }
        #expect(state.consecutiveFailures == 4)
        #expect(throttle.lockEnd(for: state, now: start) == nil)
    }

    @Test func fifthFailureLocksForTheDuration() {
        var state = LoginAttemptState()
        for _ in 1...5 { state = throttle.afterFailure(state, now: start) }
        #expect(throttle.lockEnd(for: state, now: start) == start.addingTimeInterval(900))
        #expect(throttle.lockEnd(for: state, now: start.addingTimeInterval(899)) != nil)
        #expect(throttle.lockEnd(for: state, now: start.addingTimeInterval(900)) == nil)
    }

    @Test func aFailureAfterTheLockEndsStartsANewCount() {
        let locked = LoginAttemptState(consecutiveFailures: 5, lockedUntil: start)
        let next = throttle.afterFailure(locked, now: start.addingTimeInterval(1))
        #expect(next == LoginAttemptState(consecutiveFailures: 1, lockedUntil: nil, lastFailureAt: start.addingTimeInterval(1)))
    }

    @Test func failuresOlderThanTheLockDurationAreForgotten() {
        let old = LoginAttemptState(consecutiveFailures: 4, lockedUntil: nil, lastFailureAt: start)
        #expect(!throttle.isSpent(old, now: start.addingTimeInterval(899)))
        #expect(throttle.afterFailure(old, now: start.addingTimeInterval(899)).lockedUntil == start.addingTimeInterval(899 + 900))
        #expect(throttle.isSpent(old, now: start.addingTimeInterval(900)))
        #expect(throttle.afterFailure(old, now: start.addingTimeInterval(900)).consecutiveFailures == 1)
    }

    @Test func aFailureDuringALockKeepsItsEnd() {
        let locked = LoginAttemptState(consecutiveFailures: 5, lockedUntil: start.addingTimeInterval(600), lastFailureAt: start)
        let next = throttle.afterFailure(locked, now: start.addingTimeInterval(60))
        #expect(next.consecutiveFailures == 6)
        #expect(next.lockedUntil == start.addingTimeInterval(600))
    }
}
