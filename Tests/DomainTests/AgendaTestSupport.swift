import Domain
import Foundation

let paris = TimeZone(identifier: "Europe/Paris")!

/// An instant written in UTC, so expectations never go through the code under test.
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: text)!
}

func time(_ text: String) -> LocalTime { LocalTime(parsing: text)! }

func day(_ year: Int, _ month: Int, _ day: Int) -> LocalDate { LocalDate(year: year, month: month, day: day) }

/// One practitioner, one motif, weekday hours: the smallest agenda, changed test by test.
struct AgendaBuilder {
    let practitioner = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    let colleague = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!
    let motifID = UUID(uuidString: "00000000-0000-0000-0000-0000000000F1")!
    var motif: Motif
    var ranges: [OpeningRange]
    var colleagueRanges: [OpeningRange] = []
    var validFrom = day(2020, 1, 1)
    var exceptions: [AgendaException] = []
    var busy: [BusyInterval] = []
    var urgentRules: [UrgentSlotRule] = []
    var alsaceMoselle = false
    var openedHolidays: Set<LocalDate> = []

    init(duration: Int = 20, ranges: [OpeningRange]? = nil) {
        motif = Motif(id: motifID, label: "Consultation", durationMinutes: duration, practitionerIDs: [practitioner], horizonDays: 400)
        self.ranges = ranges ?? (1...5).flatMap { weekday in
            [OpeningRange(weekday: weekday, start: time("09:00"), end: time("12:00")),
             OpeningRange(weekday: weekday, start: time("14:00"), end: time("18:00"))]
        }
    }

    var agenda: PracticeAgenda {
        var templates = [WeeklyTemplate(id: UUID(), practitionerID: practitioner, validFrom: validFrom, ranges: ranges)]
        if !colleagueRanges.isEmpty {
            templates.append(WeeklyTemplate(id: UUID(), practitionerID: colleague, validFrom: validFrom, ranges: colleagueRanges))
        }
        return PracticeAgenda(timeZone: paris, alsaceMoselle: alsaceMoselle, openedHolidays: openedHolidays,
                              practitionerIDs: [practitioner, colleague], motifs: [motif], templates: templates,
                              exceptions: exceptions, busy: busy, urgentRules: urgentRules)
    }

    func search(from: Date, now: Date? = nil, limit: Int = 3, urgent: Bool = false, practitioner: UUID? = nil,
                partOfDay: SlotQuery.PartOfDay? = nil, notBefore: LocalTime? = nil, weekdays: Set<Int>? = nil) throws -> [Slot] {
        try agenda.freeSlots(SlotQuery(motifID: motifID, practitionerID: practitioner, from: from, limit: limit, partOfDay: partOfDay,
                                       notBefore: notBefore, weekdays: weekdays, urgent: urgent), now: now ?? from)
    }

    func starts(from: Date, now: Date? = nil, limit: Int = 3, urgent: Bool = false) throws -> [Date] {
        try search(from: from, now: now, limit: limit, urgent: urgent).map(\.start)
    }
}
