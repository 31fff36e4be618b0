import App
import Foundation
import Vapor

@main
enum Entrypoint {
    static func main() async {
        var env: Environment
        do {
            env = try Environment.detect()
            try LogSetup.bootstrap(&env, variables: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("permanence: \(error)\n".utf8))
            exit(1)
        }
        let app: Application
        do {
            app = try await Application.make(env)
        } catch {
            FileHandle.standardError.write(Data("permanence: \(error)\n".utf8))
            exit(1)
        }
        do {
            try await configure(app, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("permanence: \(error)\n".utf8))
            try? await app.asyncShutdown()
            exit(1)
        }
        do {
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            // The command runner has already printed the error.
            try? await app.asyncShutdown()
            exit(1)
        }
    }
}
