import Domain
import Foundation
import Vapor

/// A field and why its value was refused.
struct FieldError: Content, Equatable {
    let field: String
    let reason: String
}

/// Every error the application answers on purpose; mapped to HTTP in `ErrorRendering`, one place.
enum AppError: Error, Equatable {
    case unauthenticated
    /// A request that proves who sent it otherwise than by a sign-in (a signed telephony event), refused with why.
    case unauthenticatedBecause(String)
    case invalidCredentials
    /// The password was right; the account's second factor is asked too.
    case secondFactorRequired
    case invalidSecondFactor
    case accountLocked(until: Date)
    /// Too many failures from one address, whatever the accounts tried.
    case addressLocked(until: Date)
    case forbidden
    /// Refused for a reason other than the role, said to the user (a transmission addressed to someone else).
    case forbiddenBecause(String)
    case csrfRejected
    case notFound(what: String)
    case validation([FieldError])
    case conflict(String)
    /// A booking or hold overlaps this appointment or hold (409, named in the problem document).
    case slotTaken(SlotConflict)
    /// A new or edited patient looks like records already there; saved only once the secretary says it is someone else.
    case likelyDuplicates([DuplicateCandidate])
    /// A motif still named by appointments, holds or waiting-list entries: archived, never deleted (409 with the counts).
    case motifInUse(MotifUsage)
    /// A request the framework refused before any handler (too large, wrong content type, wrong method…), with its
    /// own 4xx status.
    case refusedByHTTP(HTTPResponseStatus)
    /// The server lacks something it needs to answer (its resource files, its database, room on its disk): 503, saying
    /// what, and when to try again (`Retry-After`, seconds).
    case unavailable(String, retryAfter: Int = 30)
    case `internal`

    static func invalid(_ field: String, _ reason: String) -> AppError { .validation([FieldError(field: field, reason: reason)]) }

    var status: HTTPResponseStatus {
        switch self {
        case .unauthenticated, .unauthenticatedBecause, .invalidCredentials, .secondFactorRequired, .invalidSecondFactor: .unauthorized
        case .accountLocked, .addressLocked: .tooManyRequests
        case .forbidden, .forbiddenBecause, .csrfRejected: .forbidden
        case .notFound: .notFound
        case .validation: .unprocessableEntity
        case .conflict, .slotTaken, .likelyDuplicates, .motifInUse: .conflict
        case .refusedByHTTP(let status): status
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    /// A short stable name for the problem `type`.
    var slug: String {
        switch self {
        case .unauthenticated, .unauthenticatedBecause: "unauthenticated"
        case .invalidCredentials: "invalid-credentials"
        case .secondFactorRequired: "second-factor-required"
        case .invalidSecondFactor: "invalid-second-factor"
        case .accountLocked: "account-locked"
        case .addressLocked: "address-locked"
        case .forbidden, .forbiddenBecause: "forbidden"
        case .csrfRejected: "csrf-rejected"
        case .notFound: "not-found"
        case .validation: "validation-failed"
        case .conflict: "conflict"
        case .slotTaken: "slot-taken"
        case .likelyDuplicates: "likely-duplicates"
        case .motifInUse: "motif-in-use"
        case .refusedByHTTP(let status): Self.httpRefusals[status.code]?.slug ?? "http-\(status.code)"
        case .unavailable: "unavailable"
        case .internal: "internal-error"
        }
    }

    /// The French title shown to people.
    var title: String {
        switch self {
        case .unauthenticated: "Connexion requise"
        case .unauthenticatedBecause: "Requête non authentifiée"
        case .invalidCredentials: "Identifiants incorrects"
        case .secondFactorRequired: "Code de double authentification requis"
        case .invalidSecondFactor: "Code de double authentification incorrect"
        case .accountLocked: "Compte temporairement verrouillé"
        case .addressLocked: "Trop d'essais depuis cette adresse"
        case .forbidden, .forbiddenBecause: "Accès refusé"
        case .csrfRejected: "Formulaire expiré"
        case .notFound(let what): "\(what) introuvable"
        case .validation: "Données invalides"
        case .conflict: "Conflit"
        case .slotTaken: "Créneau déjà pris"
        case .likelyDuplicates: "Doublon probable"
        case .motifInUse: "Motif utilisé"
        case .refusedByHTTP(let status): Self.httpRefusals[status.code]?.title ?? "Requête refusée"
        case .unavailable: "Service indisponible"
        case .internal: "Erreur interne"
        }
    }

    /// The framework's refusals, named in French.
    private static let httpRefusals: [UInt: (slug: String, title: String, detail: String)] = [
        400: ("bad-request", "Requête invalide", "La requête est mal formée."),
        405: ("method-not-allowed", "Méthode non autorisée", "Cette adresse n'accepte pas cette méthode."),
        406: ("not-acceptable", "Format non disponible", "Cette adresse ne répond pas dans le format demandé."),
        408: ("request-timeout", "Délai dépassé", "La requête est arrivée trop lentement."),
        411: ("length-required", "Longueur requise", "La longueur du corps de la requête (Content-Length) est requise."),
        413: ("payload-too-large", "Requête trop volumineuse",
              "Le corps de la requête dépasse la limite de cette adresse (1 Mo ; 20 Mo pour un fichier de patients)."),
        414: ("uri-too-long", "Adresse trop longue", "L'adresse demandée est trop longue."),
        415: ("unsupported-media-type", "Type de contenu non pris en charge",
              "Le type du corps de la requête n'est pas pris en charge ici (JSON attendu : application/json)."),
        431: ("headers-too-large", "En-têtes trop volumineux", "Les en-têtes de la requête sont trop volumineux."),
    ]

    /// A refusal for a while (429, 503) says when to try again, in seconds (RFC 9110 `Retry-After`).
    func addRetryAfter(to response: Response, now: Date) {
        switch self {
        case .accountLocked(let until), .addressLocked(let until):
            response.headers.replaceOrAdd(name: .retryAfter, value: String(max(1, Int(until.timeIntervalSince(now).rounded(.up)))))
        case .unavailable(_, let seconds):
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
        default: break
        }
    }

    /// The French explanation shown to people.
    var detail: String {
        switch self {
        case .unauthenticated: "Identifiez-vous pour continuer."
        case .unauthenticatedBecause(let reason): reason.prefix(1).uppercased() + reason.dropFirst() + "."
        case .invalidCredentials: "Adresse e-mail ou mot de passe incorrect."
        case .secondFactorRequired:
            "Ce compte se connecte aussi avec un code : donnez les six chiffres de votre application d'authentification (champ « code ») ou un code de secours."
        case .invalidSecondFactor: "Code incorrect, expiré ou déjà utilisé : donnez le code affiché maintenant par votre application, ou un code de secours."
        case .accountLocked(let until):
            "Trop d'essais infructueux : le compte est verrouillé jusqu'à \(FrenchFormat.time(until)) (heure de Paris)."
        case .addressLocked(let until):
            "Trop d'essais infructueux depuis cette adresse : nouvel essai possible à \(FrenchFormat.time(until)) (heure de Paris)."
        case .forbidden: "Votre rôle ne permet pas cette action."
        case .forbiddenBecause(let reason): reason.prefix(1).uppercased() + reason.dropFirst() + "."
        case .csrfRejected: "Le formulaire a expiré ou ne provient pas de Permanence. Rechargez la page et recommencez."
        case .notFound: "La ressource demandée n'existe pas ou ne vous est pas accessible."
        case .validation(let errors): errors.map { "\($0.field) : \($0.reason)" }.joined(separator: " ")
        case .conflict(let message): message
        case .slotTaken(let conflict):
            "Ce créneau chevauche \(conflict.kind == "hold" ? "un créneau retenu par une collègue" : "un rendez-vous") du "
                + "\(FrenchFormat.longDate(conflict.start)) de \(FrenchFormat.time(conflict.start)) à \(FrenchFormat.time(conflict.end)). Proposez un autre créneau."
        case .likelyDuplicates(let candidates):
            "Ce patient ressemble à \(candidates.count == 1 ? "un dossier existant" : "\(candidates.count) dossiers existants") : vérifiez avec l'appelant, "
                + "ouvrez le bon dossier, ou confirmez qu'il s'agit d'une autre personne."
        case .motifInUse(let usage):
            "Ce motif est utilisé par \(usage.description) : il ne se supprime pas. Archivez-le : il ne sera plus proposé à la réservation, "
                + "et ses rendez-vous restent déplaçables."
        case .refusedByHTTP(let status): Self.httpRefusals[status.code]?.detail ?? "La requête a été refusée (\(status.code))."
        case .unavailable(let reason, _): reason
        case .internal: "Une erreur inattendue s'est produite ; elle a été enregistrée. Donnez la référence ci-dessous au support."
        }
    }
}
