import Domain
import Foundation
import Testing

struct EscalationLadderTests {
    static let sent = Date(timeIntervalSince1970: 1_795_509_000)
    static let addressee = UUID(), backup = UUID()
    static let policy = EscalationPolicy(noticeAfterMinutes: 5, callAfterMinutes: 15, backupAfterMinutes: 30, backupPractitionerID: backup)

    static func due(after minutes: Double, reached: EscalationStep = .inApp, state: TransmissionState = .new,
                    priority: TransmissionPriority = .urgent, policy: EscalationPolicy = policy) -> [EscalationStep] {
        EscalationLadder.dueSteps(policy: policy, priority: priority, state: state, addressee: addressee, sentAt: sent,
                                  reached: reached, now: sent.addingTimeInterval(minutes * 60))
    }

    /// Each rung at its own delay, not a second before.
    @Test(arguments: [
        (0.0, [EscalationStep]()), (4.99, []), (5.0, [.notice]), (14.99, [.notice]), (15.0, [.notice, .callPractitioner]),
        (29.99, [.notice, .callPractitioner]), (30.0, [.notice, .callPractitioner, .backup]), (600.0, [.notice, .callPractitioner, .backup]),
    ])
    func eachRungComesAtItsDelay(minutes: Double, expected: [EscalationStep]) {
        #expect(Self.due(after: minutes) == expected)
    }

    @Test func rungsAlreadyClimbedAreNotClimbedAgain() {
        #expect(Self.due(after: 20, reached: .notice) == [.callPractitioner])
        #expect(Self.due(after: 20, reached: .callPractitioner).isEmpty)
        #expect(Self.due(after: 45, reached: .callPractitioner) == [.backup])
    }

    @Test(arguments: [TransmissionState.acknowledged, .done])
    func theLadderStopsOnceAcknowledged(state: TransmissionState) {
        #expect(Self.due(after: 600, state: state).isEmpty)
        #expect(EscalationLadder.nextStep(policy: Self.policy, priority: .urgent, state: state, addressee: Self.addressee,
                                          sentAt: Self.sent, reached: .inApp) == nil)
    }

    @Test func readButNotAcknowledgedStillClimbs() {
        #expect(Self.due(after: 5, state: .read) == [.notice])
    }

    @Test(arguments: [TransmissionPriority.normal, .information])
    func onlyUrgentTransmissionsClimb(priority: TransmissionPriority) {
        #expect(Self.due(after: 600, priority: priority).isEmpty)
    }

    @Test func withoutABackupTheLadderStopsAtThePhoneCall() {
        var policy = Self.policy
        policy.backupPractitionerID = nil
        #expect(Self.due(after: 600, policy: policy) == [.notice, .callPractitioner])
        policy.backupPractitionerID = Self.addressee
        #expect(Self.due(after: 600, policy: policy) == [.notice, .callPractitioner], "the backup of oneself is no backup")
    }

    @Test func aPractitionerNobodyCanNotifyIsPhonedWhenTheNoticeWouldHaveGone() throws {
        func due(_ minutes: Double) -> [EscalationStep] {
            EscalationLadder.dueSteps(policy: Self.policy, priority: .urgent, state: .new, addressee: Self.addressee, sentAt: Self.sent,
                                      reached: .inApp, now: Self.sent.addingTimeInterval(minutes * 60), noticeReachable: false)
        }
        #expect(due(4.99).isEmpty)
        #expect(due(5) == [.callPractitioner], "no notice rung: straight to a person, at the notice's time")
        #expect(due(30) == [.callPractitioner, .backup])
        let (step, at) = try #require(EscalationLadder.nextStep(policy: Self.policy, priority: .urgent, state: .new, addressee: Self.addressee,
                                                                sentAt: Self.sent, reached: .inApp, noticeReachable: false))
        #expect(step == .callPractitioner && at == Self.sent.addingTimeInterval(5 * 60))
    }

    @Test func theNextRungAndItsTime() throws {
        let (step, at) = try #require(EscalationLadder.nextStep(policy: Self.policy, priority: .urgent, state: .new, addressee: Self.addressee,
                                                                sentAt: Self.sent, reached: .notice))
        #expect(step == .callPractitioner)
        #expect(at == Self.sent.addingTimeInterval(15 * 60))
    }

    @Test func policiesOutOfOrderOrTooLongAreRefusedNamingTheField() {
        #expect(EscalationPolicy().problems().isEmpty)
        #expect(EscalationPolicy(noticeAfterMinutes: 20, callAfterMinutes: 10, backupAfterMinutes: 30).problems().map(\.field) == ["callAfterMinutes"])
        #expect(EscalationPolicy(noticeAfterMinutes: 5, callAfterMinutes: 15, backupAfterMinutes: 10).problems().map(\.field) == ["backupAfterMinutes"])
        #expect(EscalationPolicy(noticeAfterMinutes: -1, callAfterMinutes: 15, backupAfterMinutes: 300).problems().map(\.field) == ["noticeAfterMinutes", "backupAfterMinutes"])
    }
}

struct EscalationNoticeTests {
    /// What a transmission may say, none of which leaves by e-mail or SMS.
    static let healthData = ["Durand", "Léa", "douleur", "thoracique", "fièvre", "06 12 34 56 78", "0612345678", "+33612345678", "ordonnance", "résultats"]

    @Test func theNoticeSaysThatSomethingWaitsAndNeverWhat() {
        let notice = EscalationNotice(practiceName: "Cabinet du Parc", reference: "1a2b3c4d")
        for text in [notice.subject, notice.body, notice.sms] {
            for term in Self.healthData { #expect(!text.localizedCaseInsensitiveContains(term), "\(term) in \(text)") }
        }
        #expect(notice.body.contains("Cabinet du Parc"))
        #expect(notice.body.contains("1a2b3c4d"))
        #expect(notice.sms.count <= 160)
    }
}

struct TransmissionRulesTests {
    @Test func onlyTheAddresseeOrTheBackupMayAct() {
        let doctor = UUID(), backup = UUID(), other = UUID()
        #expect(TransmissionRules.mayAct(practitioner: doctor, addressee: doctor, backup: nil))
        #expect(TransmissionRules.mayAct(practitioner: backup, addressee: doctor, backup: backup))
        #expect(!TransmissionRules.mayAct(practitioner: other, addressee: doctor, backup: backup))
        #expect(!TransmissionRules.mayAct(practitioner: backup, addressee: doctor, backup: nil))
    }

    @Test func statesMoveForwardOnly() {
        #expect(TransmissionRules.read(.new) == .read)
        #expect(TransmissionRules.read(.acknowledged) == .acknowledged)
        #expect(TransmissionRules.acknowledge(.new) == .success(.acknowledged))
        #expect(TransmissionRules.acknowledge(.read) == .success(.acknowledged))
        #expect(TransmissionRules.acknowledge(.acknowledged) == .failure(.alreadyAcknowledged))
        #expect(TransmissionRules.acknowledge(.done) == .failure(.alreadyDone))
        #expect(TransmissionRules.answer(.acknowledged, text: "Rappeler la patiente") == .success(.done))
        #expect(TransmissionRules.answer(.new, text: "  \n") == .failure(.emptyAnswer))
        #expect(TransmissionRules.answer(.done, text: "encore") == .failure(.alreadyDone))
    }

    @Test(arguments: [
        ("le Dr Martin", TransmissionPriority.normal, "06 12 34 56 78",
         "Je transmets au Dr Martin votre demande : renouvellement d'ordonnance. Nous vous rappellerons au 06 12 34 56 78 dès que possible."),
        ("le Dr Martin", .urgent, "06 12 34 56 78",
         "Je transmets au Dr Martin votre demande : renouvellement d'ordonnance. Nous vous rappellerons au 06 12 34 56 78 dans les plus brefs délais."),
        ("Mme Leroy", .information, "06 12 34 56 78",
         "Je transmets à Mme Leroy votre demande : renouvellement d'ordonnance. C'est noté pour son information."),
        ("le Dr Martin", .normal, "",
         "Je transmets au Dr Martin votre demande : renouvellement d'ordonnance. Nous vous rappellerons dès que possible."),
    ])
    func theReadBackSaysToWhomWhatAndWhen(practitioner: String, priority: TransmissionPriority, callback: String, expected: String) {
        #expect(TransmissionReadBack.text(practitioner: practitioner, subject: " renouvellement d'ordonnance ", priority: priority,
                                          callback: callback.isEmpty ? nil : callback) == expected)
    }
}

struct WorkQueueTests {
    static let now = Date(timeIntervalSince1970: 1_795_509_000)

    static func item(_ n: Int, _ priority: QueuePriority, due minutes: Double?, created: Double = 0) -> QueueItem {
        QueueItem(source: .task, id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!, priority: priority,
                  due: minutes.map { now.addingTimeInterval($0 * 60) }, createdAt: now.addingTimeInterval(created * 60))
    }

    @Test func priorityFirstThenTheNearestDeadlineThenTheOldest() {
        let items = [
            Self.item(1, .normal, due: nil, created: -50),
            Self.item(2, .normal, due: 60),
            Self.item(3, .urgent, due: 30),
            Self.item(4, .normal, due: 20),
            Self.item(5, .urgent, due: 10),
            Self.item(6, .low, due: 5),
            Self.item(7, .normal, due: nil, created: -60),
        ]
        #expect(WorkQueue.ordered(items, now: Self.now).map { Int($0.key.suffix(2))! } == [5, 3, 4, 2, 7, 1, 6])
    }

    @Test func anOverdueItemClimbsOneLevel() {
        let overdue = Self.item(1, .normal, due: -1)
        #expect(overdue.isOverdue(now: Self.now))
        #expect(overdue.effectivePriority(now: Self.now) == .high)
        #expect(Self.item(2, .urgent, due: -1).effectivePriority(now: Self.now) == .urgent)
        #expect(Self.item(3, .normal, due: 1).effectivePriority(now: Self.now) == .normal)
        let ordered = WorkQueue.ordered([Self.item(4, .high, due: 5), overdue], now: Self.now)
        #expect(ordered.first == overdue, "high priority both: the overdue deadline is the nearest")
    }

    @Test func aClaimHoldsUntilItExpires() {
        let expires = Self.now.addingTimeInterval(WorkQueue.claimDuration)
        #expect(WorkQueue.isHeld(expiresAt: expires, now: Self.now))
        #expect(!WorkQueue.isHeld(expiresAt: expires, now: expires))
        #expect(!WorkQueue.isHeld(expiresAt: nil, now: Self.now))
    }
}

struct CallRulesTests {
    @Test func aCallClosesWithAReasonAndMeasuresItsDuration() {
        let opened = Date(timeIntervalSince1970: 1_000)
        #expect(CallRules.close(openedAt: opened, now: opened.addingTimeInterval(185), reasons: [.appointment]) == .success(185))
        #expect(CallRules.close(openedAt: opened, now: opened.addingTimeInterval(185), reasons: []) == .failure(.noReason))
    }

    @Test(arguments: [(45.0, "45 s"), (185.0, "3 min 05 s"), (600.0, "10 min 00 s")])
    func durationsReadInFrench(seconds: Double, expected: String) {
        #expect(CallRules.duration(seconds) == expected)
    }
}
