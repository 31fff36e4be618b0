import Foundation

/// A patient record as typed by the secretary, before it is saved: every trait checked, phone numbers read into E.164,
/// the INS checked against its key and against the traits it encodes.
public struct PatientDraft: Sendable {
    public var birthName: String
    public var firstNames: String
    public var usedName: String?
    public var birthDate: String
    public var sex: String
    public var birthplaceCode: String?
    public var nir: String?
    public var identityStatus: String?
    /// Numbers as typed, with their labels.
    public var phones: [(number: String, label: String)]
    public var email: String?
    public var guardianPhone: String?

    public init(birthName: String, firstNames: String, usedName: String? = nil, birthDate: String, sex: String, birthplaceCode: String? = nil,
                nir: String? = nil, identityStatus: String? = nil, phones: [(number: String, label: String)] = [], email: String? = nil,
                guardianPhone: String? = nil) {
        self.birthName = birthName
        self.firstNames = firstNames
        self.usedName = usedName
        self.birthDate = birthDate
        self.sex = sex
        self.birthplaceCode = birthplaceCode
        self.nir = nir
        self.identityStatus = identityStatus
        self.phones = phones
        self.email = email
        self.guardianPhone = guardianPhone
    }

    /// What a valid draft becomes.
    public struct Checked: Equatable, Sendable {
        public let birthName: String
        public let firstNames: String
        public let usedName: String?
        public let birthDate: LocalDate
        public let sex: String
        public let birthplaceCode: String?
        public let nir: NIR?
        public let identityStatus: IdentityStatus
        public let phones: [PhoneNumber]
        public let phoneLabels: [String]
        public let email: String?
        public let guardianPhone: PhoneNumber?

        public var traits: IdentityTraits {
            IdentityTraits(birthName: birthName, firstNames: firstNames, usedName: usedName, birthDate: birthDate, sex: sex,
                           birthplaceCode: birthplaceCode, phones: phones)
        }
    }

    /// The checked record, or every problem, each naming its field (`phones[1].number` for the second number).
    public func check(today: LocalDate) -> Result<Checked, FieldProblems> {
        var problems: [FieldProblem] = []
        func refuse(_ field: String, _ reason: String) { problems.append(FieldProblem(field: field, reason: reason)) }
        func name(_ text: String?, field: String, required: Bool) -> String? {
            let trimmed = (text ?? "").trimmed
            if trimmed.isEmpty {
                if required { refuse(field, "obligatoire") }
                return nil
            }
            if trimmed.count > 100 { refuse(field, "100 caractères au plus") }
            if trimmed.contains(where: { $0.isNumber }) { refuse(field, "pas de chiffres dans un nom") }
            return trimmed
        }
        let birthName = name(self.birthName, field: "birthName", required: true)
        let firstNames = name(self.firstNames, field: "firstNames", required: true)
        let usedName = name(self.usedName, field: "usedName", required: false)
        var birthDate: LocalDate?
        if let date = LocalDate(iso: self.birthDate.trimmed) ?? PatientSearchQuery.dates(self.birthDate, today: today).first {
            if date > today {
                refuse("birthDate", "date de naissance dans le futur")
            } else if date < today.addingYears(-130) {
                refuse("birthDate", "date de naissance de plus de 130 ans")
            } else {
                birthDate = date
            }
        } else {
            refuse("birthDate", "date de naissance attendue (JJ/MM/AAAA), et qui existe")
        }
        if !["F", "M", "I"].contains(sex) { refuse("sex", "F, M ou I (indéterminé)") }
        var birthplace: String?
        if let code = self.birthplaceCode?.trimmed.uppercased(), !code.isEmpty {
            if code.range(of: "^([0-9]{2}|2A|2B)[0-9]{3}$", options: .regularExpression) == nil {
                refuse("birthplaceCode", "code INSEE de la commune de naissance : 5 caractères (99xxx à l'étranger)")
            } else {
                birthplace = code
            }
        }
        var nir: NIR?
        if let text = self.nir, !text.trimmed.isEmpty {
            do {
                let parsed = try NIR(parsing: text)
                nir = parsed
                let digits = Array(parsed.value)
                let nirSex = digits[0] == "1" || digits[0] == "3" || digits[0] == "7" ? "M" : "F"
                if ["F", "M"].contains(sex), nirSex != sex { refuse("nir", "le NIR indique l'autre sexe") }
                if let birthDate, let year = Int(String(digits[1...2])), year != birthDate.year % 100 {
                    refuse("nir", "le NIR indique une autre année de naissance")
                }
                if let birthDate, let month = Int(String(digits[3...4])), (1...12).contains(month), month != birthDate.month {
                    refuse("nir", "le NIR indique un autre mois de naissance")
                }
            } catch {
                refuse("nir", error.reason)
            }
        }
        var status = IdentityStatus.provisoire
        if let raw = identityStatus, !raw.isEmpty {
            if let value = IdentityStatus(rawValue: raw) { status = value } else { refuse("identityStatus", "provisoire, récupérée, validée ou qualifiée") }
        }
        if (status == .recuperee || status == .qualifiee) && nir == nil { refuse("identityStatus", "une identité \(status.rawValue) porte l'INS (NIR)") }
        var phones: [PhoneNumber] = []
        var labels: [String] = []
        for (index, entry) in self.phones.enumerated() where !entry.number.trimmed.isEmpty {
            do {
                let phone = try PhoneNumber(parsing: entry.number)
                if !phones.contains(phone) {
                    phones.append(phone)
                    let label = entry.label.trimmed
                    labels.append(label.isEmpty ? (phone.isFrenchMobile ? "portable" : "fixe") : String(label.prefix(30)))
                }
            } catch {
                refuse("phones[\(index)].number", error.reason)
            }
        }
        var guardian: PhoneNumber?
        if let text = guardianPhone, !text.trimmed.isEmpty {
            do { guardian = try PhoneNumber(parsing: text) } catch { refuse("guardianPhone", error.reason) }
        }
        var email: String?
        if let text = self.email?.trimmed, !text.isEmpty {
            if !EmailAddress.isPlausible(text) || text.count > 200 {
                refuse("email", "adresse électronique attendue (nom@domaine.fr)")
            } else {
                email = text
            }
        }
        guard problems.isEmpty, let birthName, let firstNames, let birthDate else { return .failure(FieldProblems(problems)) }
        return .success(Checked(birthName: birthName, firstNames: firstNames, usedName: usedName, birthDate: birthDate, sex: sex,
                                birthplaceCode: birthplace, nir: nir, identityStatus: status, phones: phones, phoneLabels: labels,
                                email: email, guardianPhone: guardian))
    }
}

