Console.WriteLine("r2dn");
