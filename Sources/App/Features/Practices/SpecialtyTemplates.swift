import Domain
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The specialty templates shipped in `Resources/Specialties/` (one JSON file each), read once.
enum SpecialtyTemplates {
    private static let loaded = NIOLockedValueBox<[String: [SpecialtyTemplate]]>([:])

    /// Every template of the resource folder, by specialty; a file that does not decode stops here, naming it.
    static func all(in resourcesDirectory: String) throws -> [SpecialtyTemplate] {
        let folder = resourcesDirectory + "Specialties/"
        if let cached = loaded.withLockedValue({ $0[folder] }) { return cached }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        let templates = try names.map { name -> SpecialtyTemplate in
            do {
                return try JSONDecoder().decode(SpecialtyTemplate.self, from: Data(contentsOf: URL(fileURLWithPath: folder + name)))
            } catch {
                throw AppError.unavailable("Le modèle de spécialité Resources/Specialties/\(name) est illisible : \(error)")
            }
        }.sorted { $0.specialty < $1.specialty }
        loaded.withLockedValue { $0[folder] = templates }
        return templates
    }

    static func all(_ app: Application) throws -> [SpecialtyTemplate] { try all(in: app.directory.resourcesDirectory) }

    static func named(_ id: String, app: Application) throws -> SpecialtyTemplate? { try all(app).first { $0.id == id } }
}
