import Foundation

/// What the patients' messages did in a period: reminders handed over, delivered (a receipt said so), failed;
/// appointments cancelled through a reminder's link; and how often patients missed their appointment with a reminder
/// and without one.
public struct PatientMessageFigures: Codable, Sendable, Equatable {
    /// Appointments of the period whose outcome is known (seen, arrived or missed), and those missed.
    public struct Attendance: Codable, Sendable, Equatable {
        public var appointments: Int
        public var noShows: Int
        /// nil without an appointment.
        public var noShowRate: Double? { appointments == 0 ? nil : Double(noShows) / Double(appointments) }

        public init(appointments: Int, noShows: Int) {
            self.appointments = appointments
            self.noShows = noShows
        }
    }

    public var remindersSent: Int
    public var remindersDelivered: Int
    public var remindersFailed: Int
    public var linkCancellations: Int
    public var withReminder: Attendance
    public var withoutReminder: Attendance

    public init(remindersSent: Int, remindersDelivered: Int, remindersFailed: Int, linkCancellations: Int,
                withReminder: Attendance, withoutReminder: Attendance) {
        self.remindersSent = remindersSent
        self.remindersDelivered = remindersDelivered
        self.remindersFailed = remindersFailed
        self.linkCancellations = linkCancellations
        self.withReminder = withReminder
        self.withoutReminder = withoutReminder
    }

    /// From each appointment's outcome (missed or not) and whether a reminder reached the patient before it.
    public static func attendance(_ outcomes: [(noShow: Bool, reminded: Bool)]) -> (with: Attendance, without: Attendance) {
        var with = Attendance(appointments: 0, noShows: 0), without = Attendance(appointments: 0, noShows: 0)
        for outcome in outcomes {
            if outcome.reminded {
                with.appointments += 1
                if outcome.noShow { with.noShows += 1 }
            } else {
                without.appointments += 1
                if outcome.noShow { without.noShows += 1 }
            }
        }
        return (with, without)
    }
}
