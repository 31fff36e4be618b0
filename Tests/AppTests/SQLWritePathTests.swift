@testable import App
import Fluent
import Foundation
import Testing

/// The booking's statements written in SQL (issue 20) write every field of their models: a field added to a model and
/// forgotten in its statement would be silently left empty on every booking.
struct SQLWritePathTests {
    static func fieldNames<M: Model>(_ model: M.Type) -> [String] { M.keys.map(\.description).sorted() }

    @Test func theAppointmentsStatementWritesEveryFieldOfTheModel() {
        let record = AppointmentRecord()
        record.$practice.id = UUID()
        record.$practitioner.id = UUID()
        record.$patient.id = UUID()
        record.startsAt = Date()
        record.endsAt = Date()
        record.status = "booked"
        record.reason = "Consultation"
        let written = record.columnValues.map(\.0)
        #expect(written.sorted() == Self.fieldNames(AppointmentRecord.self))
        #expect(Set(written).count == written.count)
    }

    @Test func theOccupancyStatementsReadAndWriteEveryFieldOfTheModel() {
        #expect(SlotOccupancy.columns.sorted() == Self.fieldNames(SlotOccupancyRecord.self))
    }

    @Test func theJournalsStatementWritesEveryFieldOfAnEntry() {
        #expect(Journal.columns.sorted() == Self.fieldNames(AuditEntryRecord.self))
    }
}
