return NetflixRec.Training.Cli.CliApp.Run(args);
