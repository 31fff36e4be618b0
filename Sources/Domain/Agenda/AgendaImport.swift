import Foundation

/// One appointment read from the practice's previous agenda (an .ics export or a CSV file), before any check.
public struct AgendaImportRow: Equatable, Sendable {
    /// The line of the file where it starts (`BEGIN:VEVENT`, or the CSV row).
    public let line: Int
    /// The calendar's UID, when the file has one.
    public let uid: String?
    public let start: Date
    public let birthName: String
    public let firstNames: String
    public let birthDate: LocalDate?
    public let phone: PhoneNumber?
    /// The motif named by the file, when it names one.
    public let motifLabel: String?

    public init(line: Int, uid: String?, start: Date, birthName: String, firstNames: String, birthDate: LocalDate?, phone: PhoneNumber?,
                motifLabel: String?) {
        self.line = line
        self.uid = uid
        self.start = start
        self.birthName = birthName
        self.firstNames = firstNames
        self.birthDate = birthDate
        self.phone = phone
        self.motifLabel = motifLabel
    }
}

/// A line of the file left out, and why.
public struct AgendaImportRejection: Equatable, Sendable, Codable {
    public let line: Int
    public let uid: String?
    public let reasons: [String]

    public init(line: Int, uid: String?, reasons: [String]) {
        self.line = line
        self.uid = uid
        self.reasons = reasons
    }
}

/// Why a whole file is refused (nothing of it is read further).
public struct AgendaImportFileProblem: Error, Equatable, Sendable {
    public let reason: String
    public init(reason: String) { self.reason = reason }
}

/// Reading the previous agenda's files into rows. An .ics (RFC 5545) gives one row per `VEVENT`: `DTSTART` in UTC, with
/// a `TZID` Foundation knows, or floating (the practice's time zone); `SUMMARY` is « NOM Prénom » optionally followed by
/// « - motif »; `DESCRIPTION` may give « Né(e) le JJ/MM/AAAA » and « Tél : 06… ». A CSV has the columns date, heure,
/// nom, prénom, naissance, téléphone, motif (in any order, named in its header).
public enum AgendaImportFile {
    public static func ics(_ text: String, zone: TimeZone) throws(AgendaImportFileProblem) -> (rows: [AgendaImportRow], rejected: [AgendaImportRejection]) {
        // Unfolding (RFC 5545 §3.1): a line break followed by a space or a tab continues the line.
        var lines: [(number: Int, text: String)] = []
        for (index, raw) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if (line.hasPrefix(" ") || line.hasPrefix("\t")), !lines.isEmpty { lines[lines.count - 1].text += line.dropFirst() } else { lines.append((index + 1, line)) }
        }
        guard lines.first(where: { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty })?.text.uppercased() == "BEGIN:VCALENDAR" else {
            throw AgendaImportFileProblem(reason: "ce fichier n'est pas un calendrier iCalendar (.ics) : il doit commencer par BEGIN:VCALENDAR")
        }
        var rows: [AgendaImportRow] = [], rejected: [AgendaImportRejection] = []
        var event: [String: (params: [String: String], value: String)]?
        var eventLine = 0
        var inAlarm = false
        for (number, text) in lines {
            let upper = text.uppercased()
            if upper == "BEGIN:VEVENT" { event = [:]; eventLine = number; continue }
            if upper == "BEGIN:VALARM" { inAlarm = true; continue }
            if upper == "END:VALARM" { inAlarm = false; continue }
            if upper == "END:VEVENT", let properties = event {
                event = nil
                let uid = properties["UID"]?.value
                switch try row(properties, line: eventLine, zone: zone) {
                case .success(let row): rows.append(row)
                case .failure(let reasons): rejected.append(AgendaImportRejection(line: eventLine, uid: uid, reasons: reasons.list.map(\.reason)))
                }
                continue
            }
            guard event != nil, !inAlarm, let colon = text.firstIndex(of: ":") else { continue }
            let head = text[..<colon].split(separator: ";").map(String.init)
            guard let name = head.first?.uppercased() else { continue }
            var params: [String: String] = [:]
            for part in head.dropFirst() {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { params[pair[0].uppercased()] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            event?[name] = (params, String(text[text.index(after: colon)...]))
        }
        return (rows, rejected)
    }

    private static func row(_ properties: [String: (params: [String: String], value: String)], line: Int,
                            zone: TimeZone) throws(AgendaImportFileProblem) -> Result<AgendaImportRow, FieldProblems> {
        if properties["STATUS"]?.value.uppercased() == "CANCELLED" {
            return .failure(FieldProblems([FieldProblem(field: "STATUS", reason: "rendez-vous annulé dans l'agenda d'origine")]))
        }
        guard let start = properties["DTSTART"] else {
            return .failure(FieldProblems([FieldProblem(field: "DTSTART", reason: "heure de début manquante")]))
        }
        var eventZone = zone
        if let tzid = start.params["TZID"] {
            guard let known = TimeZone(identifier: tzid) else {
                throw AgendaImportFileProblem(reason: "fuseau horaire inconnu « \(tzid) » (ligne \(line)) : exportez l'agenda avec un fuseau IANA (Europe/Paris)")
            }
            eventZone = known
        }
        guard let instant = dateTime(start.value, zone: eventZone) else {
            let reason = start.params["VALUE"]?.uppercased() == "DATE" || start.value.count == 8
                ? "événement sur la journée entière, sans heure : pas un rendez-vous" : "heure de début illisible « \(start.value) »"
            return .failure(FieldProblems([FieldProblem(field: "DTSTART", reason: reason)]))
        }
        let summary = unescape(properties["SUMMARY"]?.value ?? "")
        let description = unescape(properties["DESCRIPTION"]?.value ?? "")
        let parts = summary.components(separatedBy: " - ")
        let (birthName, firstNames) = names(parts[0])
        let motif = parts.count > 1 ? parts.dropFirst().joined(separator: " - ").trimmingCharacters(in: .whitespaces) : nil
        return person(line: line, uid: properties["UID"]?.value, start: instant, name: (birthName, firstNames), motif: motif,
                      birthDate: labelled(description, ["né(e) le", "née le", "né le", "naissance", "ddn"]),
                      phone: labelled(description, ["tél", "tel", "téléphone", "telephone", "portable"]))
    }

    /// CSV rows by their header's names.
    public static func csv(_ file: CSVFile, zone: TimeZone) throws(AgendaImportFileProblem) -> (rows: [AgendaImportRow], rejected: [AgendaImportRejection]) {
        let header = file.header.map(NameFolding.compact)
        func column(_ names: [String]) -> Int? { header.firstIndex { names.contains($0) } }
        guard let date = column(["date"]), let time = column(["heure", "debut"]), let name = column(["nom", "patient"]) else {
            throw AgendaImportFileProblem(reason: "colonnes attendues : date, heure, nom (et prénom, naissance, téléphone, motif)")
        }
        let first = column(["prenom"]), birth = column(["naissance", "datedenaissance", "ddn"]), phone = column(["telephone", "tel", "portable"])
        let motif = column(["motif"])
        var rows: [AgendaImportRow] = [], rejected: [AgendaImportRejection] = []
        for row in file.rows {
            func value(_ index: Int?) -> String? {
                guard let index, index < row.fields.count else { return nil }
                let text = row.fields[index].trimmingCharacters(in: .whitespaces)
                return text.isEmpty ? nil : text
            }
            let day = value(date).flatMap(Self.date)
            let clock = value(time).flatMap(LocalTime.init(parsing:))
            guard let day, let clock else {
                rejected.append(AgendaImportRejection(line: row.line, uid: nil, reasons: ["date ou heure illisible (JJ/MM/AAAA et HH:MM attendus)"]))
                continue
            }
            let instant = WallClock.resolve(day, minutes: clock.minutes, in: zone, ambiguity: .earlier).instant
            let (birthName, firstNames) = first == nil ? names(value(name) ?? "") : (value(name) ?? "", value(first) ?? "")
            switch person(line: row.line, uid: nil, start: instant, name: (birthName, firstNames), motif: value(motif),
                          birthDate: value(birth), phone: value(phone)) {
            case .success(let parsed): rows.append(parsed)
            case .failure(let problems): rejected.append(AgendaImportRejection(line: row.line, uid: nil, reasons: problems.list.map(\.reason)))
            }
        }
        return (rows, rejected)
    }

    private static func person(line: Int, uid: String?, start: Date, name: (String, String), motif: String?, birthDate: String?,
                               phone: String?) -> Result<AgendaImportRow, FieldProblems> {
        var problems: [FieldProblem] = []
        if name.0.isEmpty { problems.append(FieldProblem(field: "nom", reason: "nom du patient manquant")) }
        var born: LocalDate?
        if let birthDate {
            born = Self.date(birthDate)
            if born == nil { problems.append(FieldProblem(field: "naissance", reason: "date de naissance illisible « \(birthDate) »")) }
        }
        var number: PhoneNumber?
        if let phone {
            do { number = try PhoneNumber(parsing: phone) } catch { problems.append(FieldProblem(field: "téléphone", reason: error.reason)) }
        }
        guard problems.isEmpty else { return .failure(FieldProblems(problems)) }
        return .success(AgendaImportRow(line: line, uid: uid, start: start, birthName: name.0, firstNames: name.1, birthDate: born, phone: number,
                                        motifLabel: motif?.isEmpty == true ? nil : motif))
    }

    /// `2027-03-15`, `15/03/2027`, `15-03-2027` or `15.03.2027`, a day that exists.
    static func date(_ text: String) -> LocalDate? {
        if let iso = LocalDate(iso: text) { return iso }
        let parts = text.split { "/-.".contains($0) }.compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1900...2200).contains(parts[2]) else { return nil }
        let date = LocalDate(year: parts[2], month: parts[1], day: parts[0])
        return date.description == String(format: "%04d-%02d-%02d", parts[2], parts[1], parts[0]) ? date : nil
    }

    /// « DUPONT Marie Claire » → (DUPONT, Marie Claire): the words in capitals are the birth name.
    static func names(_ text: String) -> (String, String) {
        let words = text.split(separator: " ").map(String.init)
        let upper = words.prefix { $0 == $0.uppercased() && $0.contains(where: \.isLetter) }
        if !upper.isEmpty && upper.count < words.count { return (upper.joined(separator: " "), words.dropFirst(upper.count).joined(separator: " ")) }
        guard let last = words.first else { return ("", "") }
        return (last, words.dropFirst().joined(separator: " "))
    }

    /// The value after one of `labels` on a line of `text` (« Tél : 06 12 34 56 78 »).
    static func labelled(_ text: String, _ labels: [String]) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let lower = line.lowercased()
            for label in labels where lower.hasPrefix(label) {
                let rest = line.dropFirst(label.count).drop { $0 == ":" || $0 == " " || $0 == "\u{00A0}" }
                if !rest.isEmpty { return String(rest).trimmingCharacters(in: .whitespaces) }
            }
        }
        return nil
    }

    /// `20261130T090000Z` (UTC) or `20261130T090000` (in `zone`).
    static func dateTime(_ value: String, zone: TimeZone) -> Date? {
        let digits = value.filter(\.isNumber)
        guard value.contains("T"), digits.count == 14, let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
              let day = Int(digits.dropFirst(6).prefix(2)), let hour = Int(digits.dropFirst(8).prefix(2)), let minute = Int(digits.dropFirst(10).prefix(2)),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60 else { return nil }
        let date = LocalDate(year: year, month: month, day: day)
        return WallClock.resolve(date, minutes: hour * 60 + minute, in: value.hasSuffix("Z") ? TimeZone(identifier: "UTC")! : zone,
                                 ambiguity: .earlier).instant
    }

    static func unescape(_ text: String) -> String {
        var out = "", escaping = false
        for character in text {
            if escaping {
                out.append(character == "n" || character == "N" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// A patient of the practice as the agenda import compares them: the same birth name, first name and date of birth, or,
/// without a date of birth in the file, the same name and phone number.
public struct AgendaImportPatient: Sendable {
    public let id: UUID
    let name: String
    let firstName: String
    let birthDate: LocalDate
    let phones: Set<String>

    public init(id: UUID, birthName: String, firstNames: String, birthDate: LocalDate, phones: [String]) {
        self.id = id
        self.name = NameFolding.compact(birthName)
        self.firstName = NameFolding.compact(firstNames.split(separator: " ").first.map(String.init) ?? "")
        self.birthDate = birthDate
        self.phones = Set(phones)
    }

    public enum Match: Equatable, Sendable { case one(UUID), none, several(Int) }

    public static func match(_ row: AgendaImportRow, among patients: [AgendaImportPatient]) -> Match {
        let name = NameFolding.compact(row.birthName)
        let first = NameFolding.compact(row.firstNames.split(separator: " ").first.map(String.init) ?? "")
        let found = patients.filter { patient in
            guard patient.name == name, patient.firstName == first else { return false }
            if let born = row.birthDate { return patient.birthDate == born }
            if let phone = row.phone { return patient.phones.contains(phone.e164) }
            return false
        }
        switch found.count {
        case 0: return .none
        case 1: return .one(found[0].id)
        default: return .several(found.count)
        }
    }
}
