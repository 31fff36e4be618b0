import Domain
import Foundation
import Testing

/// What an act during a call tells of why the caller rang, and the outcome the call's products point to.
struct CallJournalRulesTests {
    @Test func eachActTicksTheReasonItTellsAndARoutineMessageTicksNone() {
        #expect(CallAct.booked.reason == .appointment)
        #expect(CallAct.moved.reason == .move)
        #expect(CallAct.cancelled.reason == .cancellation)
        #expect(CallAct.triaged.reason == .urgent)
        #expect(CallAct.transmitted(.urgent).reason == .urgent)
        #expect(CallAct.transmitted(.normal).reason == nil)
        #expect(CallAct.transmitted(.information).reason == nil)
        #expect(CallAct.taskPlanned.reason == nil)
        #expect([CallAct.booked, .moved, .cancelled].allSatisfy { $0.linkKind == .appointment })
        #expect(CallAct.triaged.linkKind == .triage && CallAct.transmitted(.normal).linkKind == .transmission && CallAct.taskPlanned.linkKind == .task)
    }

    @Test func theOutcomeOfferedFollowsWhatTheCallProduced() {
        #expect(CallOutcome.suggested(by: []) == nil)
        #expect(CallOutcome.suggested(by: [.appointment]) == .handled)
        #expect(CallOutcome.suggested(by: [.appointment, .task]) == .callbackPlanned)
        #expect(CallOutcome.suggested(by: [.appointment, .task, .transmission]) == .transmitted)
        #expect(CallOutcome.suggested(by: [.triage]) == nil, "a triage alone says nothing of where the call ended")
    }

    @Test func aBirthDateIsGivenWithTheAgeThatTellsChildrenApart() throws {
        let today = try #require(LocalDate(iso: "2026-12-04"))
        #expect(try #require(LocalDate(iso: "1990-04-12")).birthText(on: today) == "12/04/1990 (36 ans)")
        #expect(try #require(LocalDate(iso: "2026-05-03")).birthText(on: today) == "03/05/2026 (7 mois)")
        #expect(try #require(LocalDate(iso: "2022-12-04")).birthText(on: today) == "04/12/2022 (4 ans)")
        #expect(try #require(LocalDate(iso: "2025-12-05")).birthText(on: today) == "05/12/2025 (11 mois)")
        #expect(try #require(LocalDate(iso: "2027-01-01")).birthText(on: today) == "01/01/2027", "no age before the birth")
    }
}
