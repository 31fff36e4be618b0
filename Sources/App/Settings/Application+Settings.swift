import Vapor

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = AppSettings }

    var settings: AppSettings {
        get {
            guard let settings = storage[SettingsKey.self] else { fatalError("configure(_:settings:) stores the settings") }
            return settings
        }
        set { storage[SettingsKey.self] = newValue }
    }
}
